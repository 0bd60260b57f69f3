"""Teams: forming them, what the page says they miss, adjusting by hand, sharing, team spaces and who sees them."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from consortium.models import Notification, Role
from summerschools.models import Application, ApplicationStatus, Challenge, Team
from summerschools.services import teams as team_service
from tests.factories import CompanyFactory, InstitutionFactory, UserFactory

from .factories import ApplicationFactory, EditionFactory

FIELDS = ["03", "04", "06", "07"]


@pytest.fixture
def universities(home, other):
    """Five institutions in five countries: home (ES) and other (IT) from the shared fixtures."""
    return [
        home,
        other,
        InstitutionFactory(name="Université Tierce", country="FR"),
        InstitutionFactory(name="Universität Vier", country="DE"),
        InstitutionFactory(name="Uniwersytet Pięć", country="PL"),
    ]


@pytest.fixture
def mentor(db):
    return UserFactory(roles=[Role.COMPANY_CONTACT], institution=None, full_name="Marta Mentor")


@pytest.fixture
def challenges(edition, mentor):
    return [
        Challenge.objects.create(
            edition=edition, company=CompanyFactory(name="Acme"), title="Zero waste", mentor=mentor
        ),
        Challenge.objects.create(edition=edition, company=CompanyFactory(name="Birch"), title="Rural mobility"),
    ]


def confirm(edition, institution, field="04", wants=(), **student):
    application = ApplicationFactory(
        edition=edition,
        student=UserFactory(roles=[Role.STUDENT], institution=institution, **student),
        field_of_study=field,
        status=ApplicationStatus.CONFIRMED,
    )
    application.preferred_challenges.set(wants)
    return application


@pytest.fixture
def participants(edition, universities, challenges, cast):
    """Fifteen confirmed students, three per institution, plus Sara (cast's student at home) wanting Zero waste."""
    people = [
        confirm(edition, universities[n % 5], FIELDS[n % 4], [challenges[n % 2]], full_name=f"Student {n:02}")
        for n in range(14)
    ]
    sara = ApplicationFactory(edition=edition, student=cast["student"], status=ApplicationStatus.CONFIRMED)
    sara.preferred_challenges.set([challenges[0]])
    ApplicationFactory(edition=edition, student=cast["classmate"], status=ApplicationStatus.SUBMITTED)
    return [*people, sara]


def teams_of(edition):
    return list(Team.objects.filter(edition=edition).prefetch_related("members__institution"))


# Forming


def test_an_organiser_forms_mixed_teams_of_the_edition_size(edition, participants, cast, challenges):
    edition.team_size = 4
    edition.save()
    teams = team_service.form_teams(edition=edition, by=cast["host_organiser"])
    assert [t.number for t in teams] == [1, 2, 3, 4]
    formed = teams_of(edition)
    assert sorted(len(t.members.all()) for t in formed) == [3, 4, 4, 4]
    for team in formed:
        members = list(team.members.all())
        assert len({m.institution_id for m in members}) >= 3
        assert len({m.institution.country.code for m in members}) >= 2
        assert any(team.challenge in m.preferred_challenges.all() for m in members)
    assert {t.challenge_id for t in formed} == {c.pk for c in challenges}
    assert not Application.objects.filter(status=ApplicationStatus.SUBMITTED, team__isnull=False).exists()


def test_forming_again_replaces_the_teams_and_gives_the_same_result(edition, participants, cast):
    first = team_service.form_teams(edition=edition, by=cast["host_organiser"])
    before = {a.pk: a.team.number for a in Application.objects.filter(team__isnull=False).select_related("team")}
    again = team_service.form_teams(edition=edition, by=cast["host_organiser"])
    after = {a.pk: a.team.number for a in Application.objects.filter(team__isnull=False).select_related("team")}
    assert before == after and len(before) == 15
    assert not Team.objects.filter(pk__in=[t.pk for t in first]).exists()
    assert Team.objects.filter(edition=edition).count() == len(again) == 3


def test_forming_takes_a_fixed_number_of_queries(edition, participants, cast, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        team_service.form_teams(edition=edition, by=cast["host_organiser"])
    for n in range(20):
        confirm(edition, participants[n % 5].institution)
    with django_assert_max_num_queries(14):
        team_service.form_teams(edition=edition, by=cast["host_organiser"])


@pytest.mark.parametrize("who", ["student", "colleague", "other_student"])
def test_only_organisers_form_teams(edition, participants, cast, who):
    with pytest.raises(PermissionDenied):
        team_service.form_teams(edition=edition, by=cast[who])
    assert not Team.objects.exists()


# What the page explains


def test_the_page_explains_teams_cannot_mix_three_institutions_when_only_two_have_participants(
    client, edition, home, other, challenges, cast
):
    for n in range(8):
        confirm(edition, [home, other][n % 2], wants=[challenges[0]])
    team_service.form_teams(edition=edition, by=cast["host_organiser"])
    client.force_login(cast["host_organiser"])
    response = client.get("/summer-schools/madrid-lab/teams/")
    assert response.status_code == 200
    text = response.text.replace("&#x27;", "'")
    assert "Team 1 mixes only 2 institutions: only 2 institutions have participants." in text
    assert "Team 2 mixes only 2 institutions: only 2 institutions have participants." in text


def test_the_explanations_follow_the_current_teams(edition, participants, cast, challenges):
    organiser = cast["host_organiser"]
    teams = team_service.form_teams(edition=edition, by=organiser)
    assert team_service.overview(edition).notes == []
    team = teams[0]
    team_service.update_team(team=team, name="", challenge=None, by=organiser)
    for member in team.members.all():
        team_service.move_member(application=member, team=None, by=organiser)
    notes = team_service.overview(edition).notes
    assert "5 confirmed participants are in no team." in notes
    assert "Team 1 has no challenge: choose one." in notes
    assert "Team sizes range from 0 to 5 members: they should differ by one at most." in notes


def test_a_team_nobody_chose_the_challenge_of_is_named(edition, universities, challenges, cast):
    edition.team_size = 6
    edition.save()
    for n in range(6):
        confirm(edition, universities[n % 5], FIELDS[n % 4], wants=[challenges[0]])
    [team] = team_service.form_teams(edition=edition, by=cast["host_organiser"], seed=1)
    team_service.update_team(team=team, name="Otters", challenge=challenges[1], by=cast["host_organiser"])
    assert team_service.overview(edition).notes == [
        "Otters has nobody who chose its challenge: no participant chose “Rural mobility”."
    ]


def test_a_challenge_chosen_by_fewer_than_its_teams_is_named(edition, universities, challenges, cast):
    for n in range(10):
        confirm(edition, universities[n % 5], FIELDS[n % 4], wants=[challenges[1]] if n == 0 else [challenges[0]])
    team_1, team_2 = team_service.form_teams(edition=edition, by=cast["host_organiser"])
    for team in (team_1, team_2):
        team_service.update_team(team=team, name="", challenge=challenges[1], by=cast["host_organiser"])
    [note] = team_service.overview(edition).notes
    assert note.endswith(
        "has nobody who chose its challenge: only 1 participant chose “Rural mobility”, fewer than the 2 teams "
        "working on it."
    )


def test_a_dominant_institution_is_named_as_the_reason(edition, universities, cast):
    for n in range(12):
        confirm(edition, universities[0] if n < 9 else universities[n - 8], FIELDS[n % 4])
    team_service.form_teams(edition=edition, by=cast["host_organiser"])
    notes = team_service.overview(edition).notes
    assert (
        "mixes only 2 institutions: 9 of the 12 participants come from one institution, too many to mix every team."
        in (" ".join(notes))
    )


def test_unbalanced_fields_are_named(edition, universities, cast):
    for n in range(10):
        confirm(edition, universities[n % 5], "06" if n < 4 else "04")
    team_service.form_teams(edition=edition, by=cast["host_organiser"])
    team_1, team_2 = Team.objects.filter(edition=edition)
    for moving in team_2.members.filter(field_of_study="06"):
        team_service.move_member(application=moving, team=team_1, by=cast["host_organiser"])
    assert (
        "Team 1 has 4 students of Information and communication technologies; spread evenly, no team would have "
        "more than 2." in team_service.overview(edition).notes
    )


# Adjusting by hand


def test_an_organiser_moves_a_participant_through_the_page(client, edition, participants, cast):
    organiser = cast["host_organiser"]
    team_1, team_2, _ = team_service.form_teams(edition=edition, by=organiser)
    moving = team_1.members.first()
    client.force_login(organiser)
    assert client.get(f"/summer-schools/teams/members/{moving.pk}/").status_code == 200
    response = client.post(f"/summer-schools/teams/members/{moving.pk}/", {"team": team_2.pk})
    assert response.status_code == 302 and response.url == "/summer-schools/madrid-lab/teams/"
    moving.refresh_from_db()
    assert moving.team == team_2


def test_moving_into_another_editions_team_is_refused_with_the_field_named(client, edition, participants, cast, host):
    team_service.form_teams(edition=edition, by=cast["host_organiser"])
    elsewhere = Team.objects.create(edition=EditionFactory(host=host), number=1)
    moving = Application.objects.get(pk=participants[0].pk)
    client.force_login(cast["host_organiser"])
    response = client.post(f"/summer-schools/teams/members/{moving.pk}/", {"team": elsewhere.pk})
    assert response.status_code == 200
    assert "Choose one of this summer school&#x27;s teams." in response.text
    assert Application.objects.get(pk=moving.pk).team_id == moving.team_id is not None


def test_a_participant_who_is_not_confirmed_cannot_be_moved(edition, participants, cast):
    [team, *_] = team_service.form_teams(edition=edition, by=cast["host_organiser"])
    submitted = Application.objects.get(status=ApplicationStatus.SUBMITTED)
    with pytest.raises(ValidationError) as error:
        team_service.move_member(application=submitted, team=team, by=cast["host_organiser"])
    assert error.value.message_dict == {"team": ["Only the edition's confirmed participants join its teams."]}


def test_rename_change_challenge_add_and_delete_an_empty_team(client, edition, participants, cast, challenges):
    team_service.form_teams(edition=edition, by=cast["host_organiser"])
    client.force_login(cast["organiser"])
    team = Team.objects.get(edition=edition, number=1)
    client.post(f"/summer-schools/teams/{team.pk}/edit/", {"name": " Otters ", "challenge": challenges[1].pk})
    team.refresh_from_db()
    assert (team.name, team.challenge) == ("Otters", challenges[1])
    client.post("/summer-schools/madrid-lab/teams/add/")
    empty = Team.objects.get(edition=edition, number=4)
    response = client.post(f"/summer-schools/teams/{team.pk}/delete/", follow=True)
    assert "Only an empty team can be deleted: move its members to other teams first." in response.text
    client.post(f"/summer-schools/teams/{empty.pk}/delete/")
    assert list(Team.objects.filter(edition=edition).values_list("number", flat=True)) == [1, 2, 3]


def test_a_challenge_of_another_edition_is_refused(client, edition, participants, cast, host):
    team_service.form_teams(edition=edition, by=cast["host_organiser"])
    foreign = Challenge.objects.create(edition=EditionFactory(host=host), company=CompanyFactory(), title="Elsewhere")
    team = Team.objects.get(edition=edition, number=1)
    client.force_login(cast["host_organiser"])
    response = client.post(f"/summer-schools/teams/{team.pk}/edit/", {"challenge": foreign.pk}, follow=True)
    assert "Challenge: Select a valid choice." in response.text
    team.refresh_from_db()
    assert team.challenge_id != foreign.pk


def test_forming_again_asks_for_confirmation_first(client, edition, participants, cast):
    team_service.form_teams(edition=edition, by=cast["host_organiser"])
    first = set(Team.objects.values_list("pk", flat=True))
    client.force_login(cast["host_organiser"])
    response = client.post("/summer-schools/madrid-lab/teams/form/")
    assert response.status_code == 200 and "Replace the teams" in response.text
    assert set(Team.objects.values_list("pk", flat=True)) == first
    response = client.post("/summer-schools/madrid-lab/teams/form/", {"confirm": "yes"})
    assert response.status_code == 302
    assert not set(Team.objects.values_list("pk", flat=True)) & first


def test_adding_teams_numbers_them_after_the_last(edition, cast):
    numbers = [team_service.add_team(edition=edition, by=cast["host_organiser"]).number for _ in range(3)]
    assert numbers == [1, 2, 3]


# Sharing and team spaces


def test_sharing_tells_each_member_their_team_once(
    client, edition, participants, cast, django_capture_on_commit_callbacks
):
    team_service.form_teams(edition=edition, by=cast["host_organiser"])
    client.force_login(cast["host_organiser"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/summer-schools/madrid-lab/teams/share/")
        client.post("/summer-schools/madrid-lab/teams/share/")
    edition.refresh_from_db()
    assert edition.teams_shared_at is not None
    sara = Application.objects.select_related("team").get(student=cast["student"])
    [notice] = Notification.objects.filter(recipient=cast["student"], kind="summerschools.team")
    assert notice.title == f"You are in {sara.team} at “Madrid Venture Lab”"
    assert notice.url == f"/summer-schools/teams/{sara.team_id}/"
    assert Notification.objects.filter(kind="summerschools.team").count() == 15
    sent = [m for m in mail.outbox if m.to == [cast["student"].email]]
    assert len(sent) == 1 and "Meet your teammates on your team's page." in sent[0].body


def test_a_participant_moved_after_sharing_is_told_their_new_team(edition, participants, cast):
    organiser = cast["host_organiser"]
    team_1, team_2, _ = team_service.form_teams(edition=edition, by=organiser)
    team_service.share_teams(edition=edition, by=organiser)
    moving = team_1.members.first()
    team_service.move_member(application=moving, team=team_2, by=organiser)
    assert Notification.objects.filter(recipient=moving.student, dedupe_key=f"team:{team_2.pk}").exists()


def test_forming_again_unshares_the_teams(edition, participants, cast):
    team_service.form_teams(edition=edition, by=cast["host_organiser"])
    team_service.share_teams(edition=edition, by=cast["host_organiser"])
    team_service.form_teams(edition=edition, by=cast["host_organiser"])
    edition.refresh_from_db()
    assert edition.teams_shared_at is None


def test_the_team_space_lists_members_and_the_challenge_with_company_and_mentor(client, edition, participants, cast):
    team_service.form_teams(edition=edition, by=cast["host_organiser"])
    team_service.share_teams(edition=edition, by=cast["host_organiser"])
    sara = Application.objects.select_related("team__challenge").get(student=cast["student"])
    client.force_login(cast["student"])
    response = client.get(f"/summer-schools/teams/{sara.team_id}/")
    assert response.status_code == 200
    assert "Sara Student" in response.text and "Universidad de Prueba" in response.text and "Spain" in response.text
    assert sara.team.challenge.title in response.text and sara.team.challenge.company.name in response.text
    if sara.team.challenge.mentor:
        assert "Mentor: Marta Mentor" in response.text
    page = client.get(sara.get_absolute_url())
    assert f'href="/summer-schools/teams/{sara.team_id}/"' in page.text
    edition_page = client.get("/summer-schools/madrid-lab/")
    assert f'href="/summer-schools/teams/{sara.team_id}/"' in edition_page.text


@pytest.fixture
def shared(edition, participants, cast, mentor, challenges):
    """The teams formed and shared; returns (Sara's team, a team Sara is not in, the mentor's team)."""
    team_service.form_teams(edition=edition, by=cast["host_organiser"])
    team_service.share_teams(edition=edition, by=cast["host_organiser"])
    sara = Application.objects.get(student=cast["student"])
    teams = list(Team.objects.filter(edition=edition))
    not_hers = next(t for t in teams if t.pk != sara.team_id)
    mentored = next(t for t in teams if t.challenge_id == challenges[0].pk)
    return sara.team, not_hers, mentored


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("host_organiser", 200),
        ("other_organiser", 200),  # organiser from a partner institution
        ("consortium_admin", 200),
        ("colleague", 404),  # staff of a co-organising institution who does not organise it
        ("classmate", 404),  # applied, not a participant
        ("other_student", 404),
    ],
)
def test_who_sees_a_team_space(client, shared, cast, who, status):
    team, _, _ = shared
    client.force_login(cast[who])
    assert client.get(f"/summer-schools/teams/{team.pk}/").status_code == status


def test_a_member_sees_their_team_only_and_a_mentor_only_the_teams_of_their_challenge(client, shared, cast, mentor):
    hers, not_hers, mentored = shared
    client.force_login(cast["student"])
    assert client.get(f"/summer-schools/teams/{hers.pk}/").status_code == 200
    assert client.get(f"/summer-schools/teams/{not_hers.pk}/").status_code == 404
    client.force_login(mentor)
    assert client.get(f"/summer-schools/teams/{mentored.pk}/").status_code == 200
    other_challenge = Team.objects.exclude(challenge=mentored.challenge).first()
    assert client.get(f"/summer-schools/teams/{other_challenge.pk}/").status_code == 404


def test_before_sharing_members_and_mentors_get_404(client, edition, participants, cast, mentor, challenges):
    team_service.form_teams(edition=edition, by=cast["host_organiser"])
    sara = Application.objects.get(student=cast["student"])
    client.force_login(cast["student"])
    assert client.get(f"/summer-schools/teams/{sara.team_id}/").status_code == 404
    assert "/summer-schools/teams/" not in client.get(sara.get_absolute_url()).text
    client.force_login(mentor)
    team = Team.objects.filter(challenge=challenges[0]).first()
    assert client.get(f"/summer-schools/teams/{team.pk}/").status_code == 404


def test_the_anonymous_are_sent_to_sign_in(client, shared):
    team, _, _ = shared
    response = client.get(f"/summer-schools/teams/{team.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert client.get("/summer-schools/madrid-lab/teams/").status_code == 302


@pytest.mark.parametrize("who", ["colleague", "student", "other_student", "consortium_admin"])
def test_the_teams_page_and_its_actions_are_404_to_all_but_organisers(client, shared, cast, who, host):
    team, _, _ = shared
    member = team.members.first()
    client.force_login(cast[who])
    expected = 200 if who == "consortium_admin" else 404
    assert client.get("/summer-schools/madrid-lab/teams/").status_code == expected
    if expected == 404:
        assert client.post("/summer-schools/madrid-lab/teams/form/", {"confirm": "yes"}).status_code == 404
        assert client.post("/summer-schools/madrid-lab/teams/add/").status_code == 404
        assert client.post("/summer-schools/madrid-lab/teams/share/").status_code == 404
        assert client.post(f"/summer-schools/teams/{team.pk}/edit/", {"name": "Hacked"}).status_code == 404
        assert client.post(f"/summer-schools/teams/{team.pk}/delete/").status_code == 404
        assert client.post(f"/summer-schools/teams/members/{member.pk}/", {"team": ""}).status_code == 404
        member.refresh_from_db()
        assert member.team_id == team.pk


def test_an_organiser_of_another_edition_gets_404(client, shared, cast, host):
    team, _, _ = shared
    elsewhere = UserFactory(roles=[Role.ACADEMIC], institution=host)
    EditionFactory(host=host, organisers=[elsewhere])
    client.force_login(elsewhere)
    assert client.get("/summer-schools/madrid-lab/teams/").status_code == 404
    assert client.get(f"/summer-schools/teams/{team.pk}/").status_code == 404


def test_the_teams_page_query_count_does_not_grow_with_participants(
    client, edition, universities, challenges, cast, django_assert_max_num_queries
):
    client.force_login(cast["host_organiser"])
    for size in (10, 40):
        for n in range(size - Application.objects.count()):
            confirm(edition, universities[n % 5], FIELDS[n % 4], [challenges[n % 2]])
        team_service.form_teams(edition=edition, by=cast["host_organiser"])
        with django_assert_max_num_queries(14):
            response = client.get("/summer-schools/madrid-lab/teams/")
        assert response.status_code == 200


def test_the_edition_page_links_organisers_to_the_teams(client, edition, cast):
    client.force_login(cast["other_organiser"])
    assert 'href="/summer-schools/madrid-lab/teams/"' in client.get("/summer-schools/madrid-lab/").text
    client.force_login(cast["student"])
    assert 'href="/summer-schools/madrid-lab/teams/"' not in client.get("/summer-schools/madrid-lab/").text
