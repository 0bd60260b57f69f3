"""The organisers' pages: my summer schools, creating and editing an edition (seats, quotas,
co-organisers, organisers, criteria), the BIP check, publishing, challenges, and the participants
page with completion — each with who may and who may not."""

import datetime
import html
import zoneinfo

import pytest
from django.utils import timezone

from consortium.models import Notification, Role, SeatQuota
from summerschools.models import (
    Application,
    ApplicationStatus,
    Challenge,
    Criterion,
    Edition,
    FollowUp,
    Review,
    Team,
)
from tests.factories import CompanyFactory, CompanyRelationshipFactory, UserFactory

from .factories import ApplicationFactory, EditionFactory

NEW = "/summer-schools/new/"


def _form(host, home, other, **overrides):
    """A valid edition form: ten days two months on, the call open now, seats and quotas, two criteria."""
    today = timezone.localdate()
    starts = today + datetime.timedelta(days=60)
    data = {
        "title": "Lisbon Impact Lab",
        "slug": "lisbon-lab",
        "theme": "Ventures for the ocean",
        "year": starts.year,
        "starts_on": starts.isoformat(),
        "ends_on": (starts + datetime.timedelta(days=9)).isoformat(),
        "place": "blended",
        "on_site_days": 8,
        "city": "Lisboa",
        "venue": "Campus do Mar",
        "time_zone": "Europe/Lisbon",
        "language": "en",
        "language_level": "B2",
        "ects": "5.0",
        "description": "Ten days of **building**.",
        "learning_outcomes": "Validate a business idea with customers\nPitch to investors",
        "team_size": 5,
        "fee": "",
        "funding": "Erasmus+ BIP grants",
        "call_opens_at": (timezone.now() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "call_closes_at": (timezone.now() + datetime.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        "co_organisers": [home.pk, other.pk],
        "capacity": 30,
        f"quota_{home.pk}": 8,
        f"quota_{other.pk}": 8,
        "criterion_name_0": "Motivation",
        "criterion_weight_0": 3,
        "criterion_name_1": "Team fit",
        "criterion_weight_1": 1,
    }
    return data | overrides


# My summer schools


def test_my_summer_schools_lists_drafts_and_published_with_counts(
    client, edition, host, cast, django_assert_max_num_queries
):
    organiser = cast["host_organiser"]
    EditionFactory(host=host, title="Next year draft", status="draft", organisers=[organiser])
    EditionFactory(host=host, title="Not mine")
    ApplicationFactory(edition=edition, student=cast["student"], status=ApplicationStatus.CONFIRMED)
    ApplicationFactory(edition=edition, student=cast["other_student"])
    client.force_login(organiser)
    for n in range(3):
        EditionFactory(host=host, title=f"Older {n}", organisers=[organiser])
    with django_assert_max_num_queries(9):
        page = client.get("/summer-schools/my/")
    assert page.status_code == 200
    assert "Next year draft" in page.text and "Madrid Venture Lab" in page.text and "Not mine" not in page.text
    row = page.text[page.text.index("Madrid Venture Lab") :]
    assert 'data-figure="applications">2<' in row and 'data-figure="confirmed">1<' in row
    assert client.get("/summer-schools/").text.count("/summer-schools/my/") == 1


def test_students_see_no_link_to_my_summer_schools(client, edition, cast):
    client.force_login(cast["student"])
    assert "/summer-schools/my/" not in client.get("/summer-schools/").text


# Creating and editing


def test_host_staff_create_a_draft_with_seats_quotas_and_criteria(client, host, home, other, cast):
    client.force_login(cast["host_organiser"])
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, _form(host, home, other))
    assert response.status_code == 302 and response["Location"] == "/summer-schools/lisbon-lab/edit/"
    edition = Edition.objects.get(slug="lisbon-lab")
    assert edition.host == host and edition.status == "draft"
    assert edition.seat_plan.capacity == 30
    assert dict(SeatQuota.objects.filter(plan=edition.seat_plan).values_list("institution_id", "seats")) == {
        home.pk: 8,
        other.pk: 8,
    }
    assert set(edition.co_organisers.all()) == {home, other}
    assert list(edition.organisers.all()) == [cast["host_organiser"]]
    assert [(c.name, c.weight) for c in edition.criteria.all()] == [("Motivation", 3), ("Team fit", 1)]
    assert "<strong>building</strong>" in edition.description_html
    assert edition.learning_outcomes.startswith("Validate")


def test_a_consortium_admin_chooses_the_host(client, host, home, other, cast):
    client.force_login(cast["consortium_admin"])
    assert 'name="host"' in client.get(NEW).text
    assert client.post(NEW, _form(host, home, other) | {"host": host.pk}).status_code == 302
    assert Edition.objects.get(slug="lisbon-lab").host == host


@pytest.mark.parametrize("who", ["student", "anonymous", "company_contact"])
def test_only_staff_may_create_an_edition(client, host, home, other, cast, who):
    if who == "student":
        client.force_login(cast["student"])
    elif who == "company_contact":
        client.force_login(UserFactory(roles=[Role.COMPANY_CONTACT], institution=None))
    response = client.post(NEW, _form(host, home, other))
    assert response.status_code == (302 if who == "anonymous" else 404)
    assert who != "anonymous" or "/accounts/login/" in response["Location"]
    assert not Edition.objects.filter(slug="lisbon-lab").exists()


BAD_INPUT = [
    ({"ends_on": "2000-01-01"}, "ends_on", "The last day cannot be before the first day."),
    ({"on_site_days": 40}, "on_site_days", "There cannot be more days on site than days of the school."),
    ({"call_closes_at": "2100-01-01T10:00"}, "call_closes_at", "The call must close before the school starts."),
    ({"ects": "0"}, "ects", "Give the ECTS credits the school is worth."),
    ({"slug": "my"}, "slug", "This address is taken by a page of the site; choose another."),
    ({"team_size": 1}, "team_size", "Ensure this value is greater than or equal to 2."),
    ({"criterion_name_1": "Motivation"}, None, "Each criterion needs a name, given once."),
    ({"criterion_weight_1": ""}, "criterion_weight_1", "Give the criterion a weight."),
    ({"title": ""}, "title", "This field is required."),
    ({"time_zone": "Europe/Atlantis"}, "time_zone", "“Europe/Atlantis” is not a known time zone."),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_next_to_the_field_and_saves_nothing(
    client, host, home, other, cast, change, field, message
):
    client.force_login(cast["host_organiser"])
    response = client.post(NEW, _form(host, home, other, **change))
    assert response.status_code == 200
    form = response.context["form"]
    assert message in (form.errors[field] if field else form.non_field_errors())
    assert not Edition.objects.exists()


def test_quotas_above_the_seats_are_refused_and_nothing_is_saved(client, host, home, other, cast):
    client.force_login(cast["host_organiser"])
    response = client.post(NEW, _form(host, home, other, capacity=10))
    assert response.context["form"].errors["capacity"] == [
        "The quotas add up to 16 seats, more than the capacity of 10."
    ]
    assert not Edition.objects.exists()


def test_the_edit_page_costs_the_same_whatever_the_challenges_and_criteria(
    client, edition, cast, django_assert_max_num_queries
):
    company = CompanyFactory()
    client.force_login(cast["host_organiser"])
    with django_assert_max_num_queries(21):
        assert client.get("/summer-schools/madrid-lab/edit/").status_code == 200
    for n in range(8):
        Challenge.objects.create(edition=edition, company=company, title=f"Challenge {n}", mentor=cast["organiser"])
        Criterion.objects.create(edition=edition, name=f"Criterion {n}")
    with django_assert_max_num_queries(21):
        page = client.get("/summer-schools/madrid-lab/edit/")
    assert "Challenge 7" in page.text and 'value="Criterion 7"' in page.text


def test_organisers_edit_every_field_and_the_team(client, edition, host, home, other, cast):
    client.force_login(cast["host_organiser"])
    page = client.get("/summer-schools/madrid-lab/edit/")
    assert page.status_code == 200 and "Erasmus+ Blended Intensive Programme (BIP)" in page.text
    assert '<option value="UTC" selected>UTC</option>' in page.text  # time zones are chosen from a list
    assert '<option value="Europe/Lisbon">Europe/Lisbon</option>' in page.text
    data = _form(host, home, other, slug="madrid-lab", title="Madrid Venture Lab II", team_size=4, capacity=20)
    data |= {"organisers": [cast["host_organiser"].pk, cast["other_organiser"].pk]}
    del data["criterion_name_1"]
    response = client.post("/summer-schools/madrid-lab/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    edition.refresh_from_db()
    edition.seat_plan.refresh_from_db()
    assert (edition.title, edition.team_size, edition.seat_plan.capacity) == ("Madrid Venture Lab II", 4, 20)
    assert set(edition.organisers.all()) == {cast["host_organiser"], cast["other_organiser"]}
    assert [c.name for c in edition.criteria.all()] == ["Motivation"]
    # The school now meets in Lisbon: its last day begins at midnight there.
    assert edition.time_zone == "Europe/Lisbon"
    lisbon_midnight = datetime.datetime.combine(edition.ends_on, datetime.time(), zoneinfo.ZoneInfo("Europe/Lisbon"))
    assert edition.last_day_starts_at == lisbon_midnight


@pytest.mark.parametrize("field", ["co_organisers", "organisers"])
def test_an_id_beyond_the_databases_integers_is_an_invalid_choice(client, edition, host, home, other, cast, field):
    client.force_login(cast["host_organiser"])
    data = _form(host, home, other, slug="madrid-lab", title="Renamed") | {field: [2**70]}
    response = client.post("/summer-schools/madrid-lab/edit/", data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [
        f"Select a valid choice. {2**70} is not one of the available choices."
    ]
    edition.refresh_from_db()
    assert edition.title == "Madrid Venture Lab"


def test_an_organiser_from_outside_the_organising_institutions_is_refused(client, edition, host, home, other, cast):
    client.force_login(cast["host_organiser"])
    data = _form(host, home, other, slug="madrid-lab", co_organisers=[other.pk])
    data |= {"organisers": [cast["host_organiser"].pk, cast["organiser"].pk]}
    response = client.post("/summer-schools/madrid-lab/edit/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["organisers"] == [
        "Organisers must be staff of the host or a co-organising institution."
    ]
    assert edition.co_organisers.count() == 2


def test_once_reviewing_has_started_the_criteria_stay(client, edition, host, home, other, cast):
    application = ApplicationFactory(edition=edition, student=cast["student"])
    Review.objects.create(application=application, reviewer=cast["organiser"])
    client.force_login(cast["host_organiser"])
    page = client.get("/summer-schools/madrid-lab/edit/")
    assert "Reviewing has started" in page.text and 'name="criterion_name_0"' not in page.text
    data = _form(host, home, other, slug="madrid-lab", title="Renamed", criterion_name_0="Something else")
    assert client.post("/summer-schools/madrid-lab/edit/", data).status_code == 302
    assert Edition.objects.get(pk=edition.pk).title == "Renamed"
    assert [(c.name, c.weight) for c in Criterion.objects.filter(edition=edition)] == [
        ("Motivation", 2),
        ("Team fit", 1),
    ]


@pytest.mark.parametrize("who", ["colleague", "other_student", "student"])
def test_others_get_404_on_the_edit_page(client, edition, cast, who):
    client.force_login(cast[who])
    assert client.get("/summer-schools/madrid-lab/edit/").status_code == 404
    assert client.post("/summer-schools/madrid-lab/publish/").status_code == 404


def test_the_bip_check_says_why_on_the_edit_and_edition_pages(client, host, cast):
    EditionFactory(host=host, slug="small", place="on_site", on_site_days=3, organisers=[cast["host_organiser"]])
    client.force_login(cast["host_organiser"])
    for url in ["/summer-schools/small/edit/", "/summer-schools/small/"]:
        text = client.get(url).text
        assert "At least 3 institutions must organise it; there are 1." in text
        assert "The part on site must last 5 to 30 days; it lasts 3." in text
    client.force_login(cast["student"])
    assert "At least 3 institutions" not in client.get("/summer-schools/small/").text


def test_publishing_a_draft(client, host, cast):
    draft = EditionFactory(host=host, slug="draft-lab", status="draft", organisers=[cast["host_organiser"]])
    client.force_login(cast["host_organiser"])
    assert "Publish" in client.get("/summer-schools/draft-lab/").text
    client.post("/summer-schools/draft-lab/publish/")
    draft.refresh_from_db()
    assert draft.status == "published"
    response = client.post("/summer-schools/draft-lab/publish/", follow=True)
    assert "Only a draft can be published." in response.text


def test_a_draft_without_criteria_is_not_published(client, host, cast):
    EditionFactory(host=host, slug="bare", status="draft", criteria=[], organisers=[cast["host_organiser"]])
    client.force_login(cast["host_organiser"])
    response = client.post("/summer-schools/bare/publish/", follow=True)
    assert "Add the selection criteria before publishing the call." in response.text
    assert Edition.objects.get(slug="bare").status == "draft"


# Challenges


@pytest.fixture
def network(host):
    company = CompanyFactory(name="Iberia Foods")
    CompanyRelationshipFactory(institution=host, company=company)
    contact = UserFactory(roles=[Role.COMPANY_CONTACT], institution=None, company=company, full_name="Carla Contact")
    return company, contact


def test_organisers_add_change_and_remove_a_challenge_with_a_mentor(client, edition, cast, network):
    company, contact = network
    client.force_login(cast["host_organiser"])
    page = client.get("/summer-schools/madrid-lab/challenges/new/")
    assert "Iberia Foods" in page.text and "Carla Contact" in page.text
    data = {"company": company.pk, "title": "Less food waste", "description": "Cut it by half.", "mentor": contact.pk}
    assert client.post("/summer-schools/madrid-lab/challenges/new/", data).status_code == 302
    challenge = Challenge.objects.get(edition=edition)
    assert (challenge.title, challenge.mentor) == ("Less food waste", contact)
    data |= {"title": "No food waste", "mentor": cast["other_organiser"].pk}
    client.post(f"/summer-schools/madrid-lab/challenges/{challenge.pk}/", data)
    challenge.refresh_from_db()
    assert (challenge.title, challenge.mentor) == ("No food waste", cast["other_organiser"])
    client.post(f"/summer-schools/madrid-lab/challenges/{challenge.pk}/delete/")
    assert not Challenge.objects.exists()


def test_a_company_the_host_does_not_work_with_is_refused(client, edition, cast, network):
    stranger = CompanyFactory(name="Faraway Ltd")
    client.force_login(cast["host_organiser"])
    response = client.post("/summer-schools/madrid-lab/challenges/new/", {"company": stranger.pk, "title": "X"})
    assert response.status_code == 200
    assert "Select a valid choice." in response.context["form"].errors["company"][0]
    assert not Challenge.objects.exists()


def test_a_mentor_from_another_company_is_refused_by_name(client, edition, cast, network, host):
    company, _contact = network
    rival = CompanyFactory(name="Rival Foods")
    CompanyRelationshipFactory(institution=host, company=rival)
    rival_contact = UserFactory(roles=[Role.COMPANY_CONTACT], institution=None, company=rival)
    client.force_login(cast["host_organiser"])
    data = {"company": company.pk, "title": "Less waste", "mentor": rival_contact.pk}
    response = client.post("/summer-schools/madrid-lab/challenges/new/", data)
    assert response.context["form"].errors["mentor"] == [
        "The mentor must be a contact of Iberia Foods or staff of an organising institution."
    ]
    assert not Challenge.objects.exists()


def test_a_challenge_a_team_works_on_is_not_removed(client, edition, cast, network):
    company, contact = network
    challenge = Challenge.objects.create(edition=edition, company=company, title="Waste", mentor=contact)
    Team.objects.create(edition=edition, number=1, challenge=challenge)
    client.force_login(cast["host_organiser"])
    response = client.post(f"/summer-schools/madrid-lab/challenges/{challenge.pk}/delete/", follow=True)
    assert "A team works on this challenge; give the team another challenge first." in response.text
    assert Challenge.objects.filter(pk=challenge.pk).exists()


def test_others_get_404_on_challenges(client, edition, cast, network):
    company, _contact = network
    challenge = Challenge.objects.create(edition=edition, company=company, title="Waste")
    for who in ["colleague", "student"]:
        client.force_login(cast[who])
        assert client.get(f"/summer-schools/madrid-lab/challenges/{challenge.pk}/").status_code == 404
        assert client.post(f"/summer-schools/madrid-lab/challenges/{challenge.pk}/delete/").status_code == 404
    assert Challenge.objects.filter(pk=challenge.pk).exists()


# Participants and completion


@pytest.fixture
def ended(edition):
    today = timezone.localdate()
    edition.starts_on, edition.ends_on = today - datetime.timedelta(days=9), today
    edition.call_opens_at = timezone.now() - datetime.timedelta(days=90)
    edition.call_closes_at = timezone.now() - datetime.timedelta(days=30)
    edition.save(update_fields=["starts_on", "ends_on", "call_opens_at", "call_closes_at"])
    return edition


def _confirmed(edition, student):
    return ApplicationFactory(edition=edition, student=student, status=ApplicationStatus.CONFIRMED)


def test_every_organiser_sees_the_confirmed_participants_of_all_institutions(
    client, ended, cast, make_user, other, django_assert_max_num_queries
):
    _confirmed(ended, cast["student"])
    _confirmed(ended, cast["other_student"])
    ApplicationFactory(edition=ended, student=cast["classmate"])  # submitted only
    client.force_login(cast["host_organiser"])
    with django_assert_max_num_queries(14):
        page = client.get("/summer-schools/madrid-lab/participants/")
    assert "Sara Student" in page.text and "Theo Other" in page.text
    assert page.text.count("data-participant=") == 2
    for _n in range(10):
        _confirmed(ended, make_user(Role.STUDENT, institution=other))
    with django_assert_max_num_queries(14):
        page = client.get("/summer-schools/madrid-lab/participants/")
    assert page.text.count("data-participant=") == 12


@pytest.mark.parametrize("who", ["colleague", "student", "other_student"])
def test_others_get_404_on_the_participants_page(client, ended, cast, who):
    application = _confirmed(ended, cast["student"])
    client.force_login(cast[who])
    assert client.get("/summer-schools/madrid-lab/participants/").status_code == 404
    url = f"/summer-schools/madrid-lab/participants/{application.pk}/completion/"
    assert client.post(url, {"completed": "completed"}).status_code == 404
    assert Application.objects.get(pk=application.pk).completed is None


def test_anonymous_visitors_are_sent_to_sign_in_for_the_participants(client, ended):
    assert "/accounts/login/" in client.get("/summer-schools/madrid-lab/participants/")["Location"]


def test_organisers_record_completion_and_the_student_hears_of_the_certificate(client, ended, cast):
    application = _confirmed(ended, cast["student"])
    dropped = _confirmed(ended, cast["other_student"])
    client.force_login(cast["other_organiser"])
    url = "/summer-schools/madrid-lab/participants/{}/completion/"
    client.post(url.format(application.pk), {"completed": "completed"})
    client.post(url.format(application.pk), {"completed": "completed"})
    client.post(url.format(dropped.pk), {"completed": "not-completed"})
    assert Application.objects.get(pk=application.pk).completed is True
    assert Application.objects.get(pk=dropped.pk).completed is False
    notices = Notification.objects.filter(kind="summerschools.certificate")
    assert [(n.recipient, n.title) for n in notices] == [
        (cast["student"], "Your certificate of “Madrid Venture Lab” is ready")
    ]
    response = client.post(url.format(application.pk), {"completed": "maybe"}, follow=True)
    assert "Choose completed or did not complete." in response.text


def test_completion_waits_for_the_last_day(client, edition, cast):
    application = _confirmed(edition, cast["student"])
    client.force_login(cast["host_organiser"])
    response = client.post(
        f"/summer-schools/madrid-lab/participants/{application.pk}/completion/", {"completed": "completed"}, follow=True
    )
    assert "Completion can be recorded from the school's last day on." in html.unescape(response.text)
    assert Application.objects.get(pk=application.pk).completed is None


def test_completion_is_only_for_confirmed_participants(client, ended, cast):
    application = ApplicationFactory(edition=ended, student=cast["student"], status=ApplicationStatus.REJECTED)
    client.force_login(cast["host_organiser"])
    response = client.post(
        f"/summer-schools/madrid-lab/participants/{application.pk}/completion/", {"completed": "completed"}, follow=True
    )
    assert "Only a confirmed participant can complete the school." in response.text


def test_marking_everyone_completed_leaves_those_who_did_not_alone(client, ended, cast, make_user):
    pending = _confirmed(ended, cast["student"])
    done = _confirmed(ended, cast["other_student"])
    dropped = _confirmed(ended, make_user(Role.STUDENT))
    Application.objects.filter(pk=done.pk).update(completed=True)
    Application.objects.filter(pk=dropped.pk).update(completed=False)
    ApplicationFactory(edition=ended, student=cast["classmate"])  # submitted only
    client.force_login(cast["other_organiser"])
    page = client.get("/summer-schools/madrid-lab/participants/")
    assert "Mark everyone not yet recorded as completed" in page.text
    response = client.post("/summer-schools/madrid-lab/participants/completion/", follow=True)
    assert "1 participant recorded as completed." in response.text
    completed = dict(Application.objects.values_list("student__full_name", "completed"))
    assert completed["Sara Student"] is True and completed["Theo Other"] is True
    assert Application.objects.get(pk=dropped.pk).completed is False
    assert Application.objects.get(student=cast["classmate"]).completed is None
    assert "Mark everyone not yet recorded as completed" not in response.text
    notices = Notification.objects.filter(kind="summerschools.certificate")
    assert [n.recipient for n in notices] == [pending.student]


def test_marking_everyone_completed_waits_for_the_last_day_and_is_for_organisers(client, edition, cast):
    application = _confirmed(edition, cast["student"])
    client.force_login(cast["student"])
    assert client.post("/summer-schools/madrid-lab/participants/completion/").status_code == 404
    client.force_login(cast["host_organiser"])
    response = client.post("/summer-schools/madrid-lab/participants/completion/", follow=True)
    assert "Completion can be recorded from the school's last day on." in html.unescape(response.text)
    assert Application.objects.get(pk=application.pk).completed is None


@pytest.mark.parametrize(
    ("who", "sees"),
    [("host_organiser", True), ("organiser", False), ("other_organiser", False), ("consortium_admin", False)],
)
def test_only_the_hosts_organisers_see_the_follow_up_forms(client, ended, cast, who, sees):
    application = _confirmed(ended, cast["student"])
    FollowUp.objects.create(
        application=application, arrival=timezone.now(), dietary_needs="Halal", emergency_contact="Mum +34 600"
    )
    _confirmed(ended, cast["other_student"])
    client.force_login(cast[who])
    page = client.get("/summer-schools/madrid-lab/participants/")
    assert page.status_code == 200
    assert ("Halal" in page.text and "Mum +34 600" in page.text) is sees
    assert ("Follow-up form not filled in" in page.text) is sees


def test_the_follow_up_columns_cost_no_query_per_participant(client, ended, cast, make_user, other,
                                                             django_assert_max_num_queries):  # fmt: skip
    for _n in range(10):
        application = _confirmed(ended, make_user(Role.STUDENT, institution=other))
        FollowUp.objects.create(application=application, arrival=timezone.now(), emergency_contact="Someone")
    client.force_login(cast["host_organiser"])
    with django_assert_max_num_queries(14):
        page = client.get("/summer-schools/madrid-lab/participants/")
    assert page.text.count("Someone") == 10
