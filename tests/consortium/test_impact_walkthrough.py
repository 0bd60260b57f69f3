"""The impact pages tried in a real browser: a partner admin in Madrid opens their institution's
figures and the mobility matrix, asks for an impossible period, and a consortium admin opens the
whole consortium's page with every member's row."""

import datetime

import pytest
from django.utils import timezone

from consortium.models import Role, SupportBreach
from jobs.models import JobViewDay
from tests.conftest import ARTIFACTS
from tests.factories import InstitutionFactory, UserFactory
from tests.jobs.factories import JobFactory
from tests.training.test_walkthrough import sign_in_with_totp

from .test_impact import apply, support_request

pytestmark = pytest.mark.browser

DAY = datetime.timedelta(days=1)


def seed_consortium():
    """Four members; each posts jobs at home and its students apply at home and abroad, an Argentinian
    student in Madrid and a Polish one in Leipzig staying on."""
    members = {
        code: InstitutionFactory(name=name, short_name=short, slug=short.lower(), country=code)
        for code, name, short in [
            ("ES", "Universidad Autónoma de Madrid", "UAM"),
            ("IT", "Università di Bologna", "UNIBO"),
            ("DE", "Universität Leipzig", "UL"),
            ("PT", "Universidade do Porto", "UP"),
        ]
    }
    jobs = {code: [JobFactory(institution=member, country=code) for _ in range(3)] for code, member in members.items()}
    # (country of the job, the student's home country) for the students of each member.
    wishes = {
        "ES": [("ES", "AR"), ("ES", ""), ("IT", ""), ("DE", "ES"), ("PT", "")],
        "IT": [("IT", ""), ("ES", ""), ("ES", "")],
        "DE": [("DE", "PL"), ("DE", "DE"), ("PT", "")],
        "PT": [("ES", "")],
    }
    for home, applications in wishes.items():
        for index, (country, home_country) in enumerate(applications):
            student = UserFactory(roles=[Role.STUDENT], institution=members[home], home_country=home_country)
            # Spread over the last months, for the lines to have a course.
            apply(student, jobs[country][index % 3], age=(index * 31 + 1) * DAY)
    for code, listed in jobs.items():
        for job in listed:
            JobViewDay.objects.create(job=job, day=timezone.localdate() - DAY, count=len(code) * 7 + job.pk % 5)
    support_request(sender=members["IT"], target=members["ES"], age=3 * DAY, first_response=5 * DAY / 24, rating=5)
    late = support_request(sender=members["ES"], target=members["DE"], age=6 * DAY)
    SupportBreach.objects.create(request=late, institution=members["DE"], due_at=timezone.now() - 3 * DAY)
    return members


def test_partner_admin_and_consortium_admin_read_the_impact_figures(page, another_browser, screenshot):
    members = seed_consortium()
    admin = UserFactory(roles=[Role.PARTNER_ADMIN], institution=members["ES"], full_name="Marta Gil")

    sign_in_with_totp(page, admin)
    page.get_by_role("link", name="My institution").click()
    page.get_by_role("link", name="Impact").click()
    page.get_by_role("heading", name="In figures").wait_for()
    assert page.locator('[data-counter="jobs.applications"] [data-scope="institution"]').inner_text() == "5"
    assert page.locator('[data-counter="jobs.applications"] [data-scope="consortium"]').inner_text() == "12"
    html = page.content()
    for code in ("IT", "DE", "PT"):
        assert members[code].name not in html
    assert page.locator('[data-counter="jobs.applications_staying_on"] [data-scope="institution"]').inner_text() == "1"
    assert page.locator('[data-counter="jobs.applications_staying_on"] [data-scope="consortium"]').inner_text() == "2"
    assert page.locator('[data-series="jobs.applications"] svg polyline').count() == 2
    screenshot("institution")

    page.get_by_label("Period", exact=True).select_option("custom")
    page.get_by_label("From", exact=True).fill("2026-03-01")
    page.get_by_label("To", exact=True).fill("2026-02-01")
    page.get_by_role("button", name="Show").click()
    assert page.locator("#id_start-error").inner_text() == "The period must start on or before its last day."

    director = UserFactory(roles=[Role.CONSORTIUM_ADMIN], institution=members["IT"], full_name="Luca Neri")
    other = another_browser()
    sign_in_with_totp(other, director)
    other.get_by_role("link", name="Impact", exact=True).click()
    other.get_by_role("heading", name="The consortium's impact").wait_for()
    matrix = other.locator('[data-matrix="jobs.mobility"]')
    # Outbound and staying on: the local applications (a Madrid student in Madrid…) are no mobility.
    assert matrix.locator("th[scope=col]").all_inner_texts() == ["Students of", "ES", "DE", "PT", "IT"]
    assert matrix.locator("[data-institution=ul] td").all_inner_texts() == ["0", "1", "1", "0"]
    assert matrix.locator("[data-institution=uam] td").all_inner_texts() == ["1", "1", "1", "1"]
    with other.expect_download() as download:
        other.get_by_role("link", name="Download every figure as CSV").click()
    assert download.value.suggested_filename.startswith("impact-consortium-")
    other.screenshot(path=str(ARTIFACTS / "impact-consortium.png"), full_page=True)
    other.locator('[data-series="jobs.applications"]').screenshot(path=str(ARTIFACTS / "impact-lines.png"))
