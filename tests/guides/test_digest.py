"""Guides' digest section: guides of the countries a person follows that changed this week."""

import datetime

from django.utils import timezone

from consortium.models import Role
from consortium.services.digests import DigestBatch
from guides.digest import updated_guides
from tests.guides.factories import publish_edition


def test_a_person_hears_of_updated_guides_of_their_countries_in_their_language(make_user):
    reader = make_user(Role.STUDENT, preferred_language="de")
    publish_edition("FR", "en")
    german = publish_edition("FR", "de")
    publish_edition("PL", "en")
    now = timezone.now()
    batch = DigestBatch([reader], now - datetime.timedelta(days=7), now + datetime.timedelta(minutes=1))
    batch.interests = {reader.pk: {"countries": {"FR"}}}

    [item] = updated_guides(batch)[reader.pk]

    assert item.url == german.get_absolute_url()
    assert str(item.title) == "France"
