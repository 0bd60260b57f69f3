"""/api/v1/summer-school-teams/: the teams of the editions the key's institution organises."""

import pytest
from rest_framework.test import APIClient

from consortium import services as core
from consortium.models import Role
from summerschools.models import Application
from summerschools.services import teams as team_service
from tests.factories import InstitutionFactory, UserFactory

from .factories import EditionFactory
from .test_teams import challenges, confirm, mentor, participants, universities  # noqa: F401 - fixtures


@pytest.fixture
def key(make_user):
    def make(institution, *scopes):
        admin = UserFactory(roles=[Role.PARTNER_ADMIN], institution=institution)
        _api_key, raw = core.create_api_key(institution=institution, name="SIS", scopes=list(scopes), by=admin)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
        return client

    return make


@pytest.fixture
def formed(edition, participants, cast):  # noqa: F811 - the fixture of test_teams
    return team_service.form_teams(edition=edition, by=cast["host_organiser"])


def test_a_co_organising_institutions_key_reads_the_teams_with_their_members(
    key, home, formed, django_assert_max_num_queries
):
    client = key(home, "summerschools:teams")
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/summer-school-teams/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(t["edition"], t["number"], t["name"]) for t in results] == [
        ("madrid-lab", 1, "Team 1"),
        ("madrid-lab", 2, "Team 2"),
        ("madrid-lab", 3, "Team 3"),
    ]
    first = formed[0]
    members = Application.objects.filter(team=first).select_related("student", "institution").order_by("pk")
    assert results[0]["challenge"] == {
        "id": first.challenge.pk,
        "title": first.challenge.title,
        "company": first.challenge.company.name,
    }
    assert results[0]["members"] == [
        {
            "application": a.pk,
            "student": a.student.full_name,
            "institution": a.institution.slug,
            "country": a.institution.country.code,
            "field_of_study": a.field_of_study,
        }
        for a in members
    ]
    assert results[0]["shared_at"] is None


def test_keys_need_the_scope_and_an_organising_institution(key, home, formed):
    assert key(home, "events:read").get("/api/v1/summer-school-teams/").status_code == 403
    outsider = InstitutionFactory(country="PT")
    assert key(outsider, "summerschools:teams").get("/api/v1/summer-school-teams/").json()["results"] == []
    team = formed[0]
    assert key(outsider, "summerschools:teams").get(f"/api/v1/summer-school-teams/{team.pk}/").status_code == 404


def test_people_see_the_teams_of_the_editions_they_organise_only(client, formed, cast, host):
    client.force_login(cast["other_organiser"])
    assert len(client.get("/api/v1/summer-school-teams/").json()["results"]) == 3
    client.force_login(cast["student"])
    assert client.get("/api/v1/summer-school-teams/").json()["results"] == []
    client.logout()
    EditionFactory(host=host)  # an edition without organisers must not leak to the anonymous
    response = client.get("/api/v1/summer-school-teams/")
    assert response.status_code in (401, 403) or response.json()["results"] == []


def test_a_move_marks_both_teams_changed_for_incremental_sync(key, home, formed, cast):
    first, second, _ = formed
    before = {t.pk: t.updated_at for t in formed}
    team_service.move_member(application=first.members.first(), team=second, by=cast["host_organiser"])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.updated_at > before[first.pk] and second.updated_at > before[second.pk]
