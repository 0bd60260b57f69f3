"""Guide readership: reading an edition counts one read a day, and an institution's figure is the
readership of the guide to its own country."""

import datetime

import pytest
from django.utils import timezone

from consortium.registry import IMPACT_COUNTERS
from guides.models import GuideReadDay
from tests.guides.factories import publish_edition

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
BROWSER = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"}


def test_reading_a_guide_counts_and_crawlers_do_not(client, home, other):
    spain, italy = publish_edition("ES"), publish_edition("IT")
    for _ in range(2):
        assert client.get(spain.get_absolute_url(), headers=BROWSER).status_code == 200
    client.get(italy.get_absolute_url(), headers=BROWSER)
    client.get(italy.get_absolute_url(), headers={"user-agent": "Mozilla/5.0 (compatible; bingbot/2.0)"})
    assert GuideReadDay.objects.get(edition=spain).count == 2
    assert GuideReadDay.objects.get(edition=italy).count == 1
    reads = IMPACT_COUNTERS["guides.reads"]
    start, end = timezone.now() - DAY, timezone.now() + DAY
    # home is in Spain, other in Italy.
    assert [reads.count(start, end, i) for i in (home.pk, other.pk, None)] == [2, 1, 3]


def test_prefetches_head_requests_and_nameless_agents_are_not_reads(client):
    spain = publish_edition("ES")
    url = spain.get_absolute_url()
    client.head(url, headers=BROWSER)
    client.get(url, headers={**BROWSER, "sec-purpose": "prefetch;prerender"})
    client.get(url, headers={**BROWSER, "purpose": "prefetch"})
    client.get(url)  # no user agent at all: a script
    assert not GuideReadDay.objects.exists()
    client.get(url, headers=BROWSER)
    assert GuideReadDay.objects.get(edition=spain).count == 1
