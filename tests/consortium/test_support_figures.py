"""The support desk in figures: an institution's desk, and who asks whom for consortium admins."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from consortium.models import Role, SupportBreach, SupportCategory, SupportRequest, SupportStatus
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

URL = reverse("consortium:support-figures")
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def make_request(*, sender, target, age, first_response=None, resolution=None, rating=None, **fields):
    """A request opened `age` ago, first answered and resolved the given times after that."""
    created = timezone.now() - age
    request = SupportRequest.objects.create(
        requester=None,
        requesting_institution=sender,
        target_country=target.country if target else "PT",
        target_institution=target,
        category=SupportCategory.PERMITS,
        subject="Work permits",
        question="Which permit does a non-EU graduate need?",
        first_response_due_at=created + 3 * DAY,
        first_response_at=created + first_response if first_response else None,
        resolved_at=created + resolution if resolution else None,
        rating=rating,
        **fields,
    )
    SupportRequest.objects.filter(pk=request.pk).update(created_at=created)
    return request


@pytest.fixture
def desk(home, other):
    """Requests to the Italian partner (other) from Madrid (home), and one the other way."""
    resolved = {"status": SupportStatus.RESOLVED}
    make_request(sender=home, target=other, age=10 * DAY, first_response=2 * HOUR, resolution=DAY, rating=5, **resolved)
    make_request(
        sender=home, target=other, age=20 * DAY, first_response=10 * HOUR, resolution=3 * DAY, rating=3, **resolved
    )
    make_request(sender=home, target=other, age=5 * DAY, first_response=6 * HOUR, status=SupportStatus.ANSWERED)
    late = make_request(sender=home, target=other, age=4 * DAY)
    SupportBreach.objects.create(request=late, institution=other, due_at=late.first_response_due_at)
    # Before the default period of 90 days: counted neither as received nor in the times.
    make_request(sender=home, target=other, age=200 * DAY, first_response=DAY, resolution=9 * DAY, rating=1, **resolved)
    make_request(sender=other, target=home, age=DAY)
    make_request(sender=home, target=None, age=DAY, in_shared_queue=True)


def figures(response) -> dict[str, str]:
    assert response.status_code == 200
    return dict(re.findall(r'data-figure="([\w-]+)">([^<]*)<', response.content.decode()))


def test_career_staff_see_their_own_institutions_desk(client, people, desk):
    client.force_login(people["other_officer"])
    assert figures(client.get(URL)) == {
        "open": "1",
        "overdue": "1",
        "received": "4",
        "breached": "1",
        "first-response": "6 hours",
        "resolution": "2.0 days",
        "satisfaction": "4.0 of 5 (2 ratings)",
    }
    # No matrix for them, and no way to ask for it.
    assert "Who asks whom" not in client.get(URL).content.decode()
    assert client.get(URL, {"format": "csv"}).status_code == 404


def test_another_institutions_staff_see_only_their_own_desk(client, people, desk, other):
    client.force_login(people["officer"])
    shown = figures(client.get(URL, {"institution": other.slug}))
    assert (shown["received"], shown["open"], shown["first-response"], shown["satisfaction"]) == (
        "1",
        "1",
        "—",
        "No ratings yet",
    )
    client.force_login(people["admin"])
    assert figures(client.get(URL))["received"] == "1"


def test_a_chosen_period_counts_the_requests_opened_in_it(client, people, desk):
    client.force_login(people["other_officer"])
    today = timezone.localdate()
    shown = figures(client.get(URL, {"start": today - 300 * DAY, "end": today - 8 * DAY}))
    assert (shown["received"], shown["first-response"], shown["resolution"], shown["satisfaction"]) == (
        "3",
        "10 hours",
        "3.0 days",
        "3.0 of 5 (3 ratings)",
    )
    # What is open or overdue is counted now, whatever the period.
    assert (shown["open"], shown["overdue"]) == ("1", "1")


def test_a_bad_period_is_refused_with_the_field_named(client, people, desk):
    client.force_login(people["other_officer"])
    response = client.get(URL, {"start": "2025-03-10", "end": "2025-03-01"})
    assert response.context["form"].errors == {"start": ["The period must start on or before its last day."]}
    assert figures(response)["received"] == "4"  # the default period meanwhile
    response = client.get(URL, {"start": "10 March"})
    assert response.status_code == 200 and list(response.context["form"].errors) == ["start"]


@pytest.mark.parametrize("field", ["start", "end"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"])
def test_days_out_of_range_are_refused_with_the_field_named(client, people, desk, field, day):
    client.force_login(people["consortium_admin"])
    for query in ({field: day}, {field: day, "format": "csv"}):
        response = client.get(URL, query)
        assert response.status_code == 200
        assert response.context["form"].errors == {field: ["Choose a day between the years 2000 and 2100."]}
    # The bounds themselves are days like any other.
    response = client.get(URL, {"start": "2000-01-01", "end": "2100-12-31"})
    assert response.status_code == 200 and not response.context["form"].errors


@pytest.mark.parametrize("role", [Role.STUDENT, Role.ACADEMIC, Role.COMPANY_CONTACT])
def test_people_who_do_not_work_the_desk_get_404(client, make_user, desk, role):
    client.force_login(make_user(role))
    assert client.get(URL).status_code == 404
    assert client.get(URL, {"format": "csv"}).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, desk):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_consortium_admins_see_who_asks_whom(client, people, desk, home, other):
    client.force_login(people["consortium_admin"])
    response = client.get(URL)
    page = response.content.decode()
    assert figures(response)["received"] == "6"  # every desk of the consortium, in the period
    assert figures(response)["matrix-total"] == "6"
    matrix = response.context["matrix"]
    assert [short for _key, short, _name in matrix["columns"]] == ["UP", "UA", "Shared queue"]
    assert [(row["institution"], [c["count"] for c in row["cells"]], row["total"]) for row in matrix["rows"]] == [
        (home, [0, 4, 1], 5),
        (other, [1, 0, 0], 1),
    ]
    # The busiest pair is darkest; the chart is classes, never inline style (the CSP forbids it).
    assert [c["heat"] for c in matrix["rows"][0]["cells"]] == [
        "",
        "bg-primary bg-opacity-100 text-white",
        "bg-primary bg-opacity-25",
    ]
    assert "style=" not in page
    assert figures(client.get(URL, {"institution": other.slug}))["received"] == "4"


def test_the_matrix_downloads_as_csv(client, people, desk):
    client.force_login(people["consortium_admin"])
    response = client.get(URL, {"format": "csv", "start": "2020-01-01"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="support-requests-2020-01-01-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        [
            "From \\ to",
            "Universidad de Prueba",
            "Università Altra",
            "The consortium-wide queue (no member in the country)",
            "Total",
        ],
        ["Universidad de Prueba", "0", "5", "1", "6"],
        ["Università Altra", "1", "0", "0", "1"],
        ["Total", "1", "5", "1", "7"],
    ]


def test_names_that_look_like_formulas_are_defused_in_the_csv(client, people, home):
    evil = InstitutionFactory(name="=HYPERLINK(1)")
    make_request(sender=evil, target=home, age=DAY)
    client.force_login(people["consortium_admin"])
    rows = list(csv.reader(io.StringIO(client.get(URL, {"format": "csv"}).content.decode("utf-8-sig"))))
    assert rows[0][1] == "'=HYPERLINK(1)" and rows[1][0] == "'=HYPERLINK(1)"


def test_the_figures_take_a_fixed_number_of_queries(client, people, desk, home, other, django_assert_max_num_queries):
    client.force_login(people["consortium_admin"])
    client.get(URL)  # warm the session
    for _n in range(3):
        InstitutionFactory()
        make_request(sender=home, target=other, age=DAY, first_response=HOUR, rating=4, status=SupportStatus.RESOLVED)
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200
    client.force_login(people["other_officer"])
    client.get(URL)
    with django_assert_max_num_queries(8):
        assert client.get(URL).status_code == 200


def test_consortium_admins_find_the_figures_from_the_member_list(client, people):
    client.force_login(people["consortium_admin"])
    assert URL in client.get(reverse("consortium:member-list")).content.decode()
