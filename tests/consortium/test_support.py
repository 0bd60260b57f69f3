"""The support desk: routing, the workflow and who may take each step, the thread with its internal
notes, attachments checked by content, the automatic close, and the desk's lists."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consortium.models import (
    LiaisonNomination,
    Notification,
    Role,
    SupportAttachment,
    SupportMessage,
    SupportRequest,
    SupportStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from consortium.services import support as desk
from consortium.services.support_sla import first_response_due
from consortium.tasks import close_stale_support_requests
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", b"<office/>")
    return buffer.getvalue()


def upload(content=PDF, name="norms.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def desk_people(make_user, home, other):
    """Madrid (home, ES) asks Milan (other, IT), whose liaison officer answers; Lyon is a third member."""
    third = InstitutionFactory(name="Université Tierce", short_name="UT", slug="ut", country="FR")
    liaison = make_user(Role.CAREER_OFFICER, institution=other, full_name="Lia Milano")
    LiaisonNomination.objects.create(institution=other, officer=liaison)
    third_liaison = make_user(Role.CAREER_OFFICER, institution=third)
    LiaisonNomination.objects.create(institution=third, officer=third_liaison)
    return {
        "requester": make_user(Role.CAREER_OFFICER, full_name="Rosa Madrid"),
        "colleague": make_user(Role.CAREER_OFFICER),
        "student": make_user(Role.STUDENT),
        "academic": make_user(Role.ACADEMIC),
        "liaison": liaison,
        "target_colleague": make_user(Role.CAREER_OFFICER, institution=other),
        "target_admin": make_user(Role.PARTNER_ADMIN, institution=other),
        "target_student": make_user(Role.STUDENT, institution=other),
        "third": make_user(Role.CAREER_OFFICER, institution=third),
        "third_liaison": third_liaison,
        "consortium_admin": make_user(Role.CONSORTIUM_ADMIN, institution=third),
        "third_institution": third,
    }


def open_request(people, **kwargs):
    arguments = {
        "requester": people["requester"],
        "target_country": "IT",
        "category": "internships",
        "subject": "Internship norms in Italy",
        "question": "Are unpaid curricular internships usual in Milan?",
    }
    return desk.open_support_request(**arguments | kwargs)


@pytest.fixture
def support(desk_people, other):
    return open_request(desk_people, target_institution=other)


def answered(people, support):
    desk.post_support_message(request=support, author=people["liaison"], body="Yes, with a stipend of 500 EUR.")
    support.refresh_from_db()
    return support


def notified(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind).count()


FORM = {
    "target_country": "IT",
    "target_institution": "",
    "category": "internships",
    "subject": "Internship norms in Italy",
    "question": "Are unpaid curricular internships usual in Milan?",
    "field_of_study": "04",
    "degree_level": "master",
    "languages_0_language": "it",
    "languages_0_level": "B2",
    "languages_1_language": "",
    "languages_1_level": "",
    "target_role": "Marketing",
    "timeframe": "From September, six months",
}


# Routing


def test_an_officer_asks_an_institution_and_its_liaison_officer_gets_it(client, desk_people, home, other):
    client.force_login(desk_people["requester"])
    page = client.get(reverse("consortium:support-create")).content.decode()
    assert "no field for the student's name or contact details" in page
    assert 'hx-get="/support/suggestions/"' in page and 'id="support-suggestions"' in page

    response = client.post(
        reverse("consortium:support-create"),
        FORM | {"target_institution": other.pk, "attachments": [upload(), upload(odt(), "cv.odt")]},
    )
    support = SupportRequest.objects.get()
    assert response.status_code == 302 and response.url == support.get_absolute_url()
    assert (support.requesting_institution, support.target_institution, support.assignee) == (
        home,
        other,
        desk_people["liaison"],
    )
    assert support.status == SupportStatus.OPEN and not support.in_shared_queue
    assert support.languages == [["it", "B2"]] and support.field_of_study == "04"
    due = first_response_due(country="IT", opened_at=support.created_at)
    assert abs(support.first_response_due_at - due) < datetime.timedelta(seconds=1)
    assert sorted(support.attachments.values_list("name", "kind")) == [("cv.odt", "odt"), ("norms.pdf", "pdf")]
    assert notified(desk_people["liaison"], "support.received") == 1
    assert list(support.messages.values_list("kind", "body")) == [
        ("event", "Sent to Lia Milano, liaison officer of Università Altra.")
    ]


def test_a_country_only_request_goes_to_the_least_loaded_liaison_officer(desk_people, make_user, other):
    busy = open_request(desk_people, target_institution=other)
    assert busy.assignee == desk_people["liaison"]
    turin = InstitutionFactory(country="IT", slug="turin")
    turin_liaison = make_user(Role.CAREER_OFFICER, institution=turin)
    LiaisonNomination.objects.create(institution=turin, officer=turin_liaison)
    # Finished requests are no load.
    for _ in range(3):
        SupportRequest.objects.create(
            requesting_institution=busy.requesting_institution,
            target_country="IT",
            target_institution=turin,
            assignee=turin_liaison,
            category="other",
            subject="Old",
            question="Old",
            status=SupportStatus.RESOLVED,
        )

    support = open_request(desk_people)
    assert (support.target_institution, support.assignee) == (turin, turin_liaison)
    assert open_request(desk_people).assignee in {turin_liaison, desk_people["liaison"]}


def test_a_country_without_a_member_goes_to_the_shared_queue_and_admins_are_told(client, desk_people):
    support = open_request(desk_people, target_country="NO")
    assert support.in_shared_queue and support.target_institution is None and support.assignee is None
    assert support.first_response_due_at is not None
    assert notified(desk_people["consortium_admin"], "support.shared_queue") == 1
    # Every liaison officer sees the queue; other officers do not.
    for who in ("liaison", "third_liaison"):
        client.force_login(desk_people[who])
        assert (
            "Internship norms in Italy"
            in client.get(reverse("consortium:support-list") + "?box=shared").content.decode()
        )
        assert client.get(support.get_absolute_url()).status_code == 200
    for who in ("target_colleague", "third", "consortium_admin"):
        client.force_login(desk_people[who])
        assert client.get(support.get_absolute_url()).status_code == 404


def test_claiming_from_the_shared_queue_makes_the_request_the_claimers_institutions(desk_people, other):
    support = open_request(desk_people, target_country="NO")
    desk.claim_support_request(request=support, by=desk_people["liaison"])
    support.refresh_from_db()
    assert (support.target_institution, support.in_shared_queue, support.assignee) == (
        other,
        False,
        desk_people["liaison"],
    )
    with pytest.raises(PermissionDenied):
        desk.claim_support_request(request=support, by=desk_people["third_liaison"])


def test_a_member_without_a_liaison_officer_gets_the_request_unassigned(desk_people, other):
    LiaisonNomination.objects.filter(institution=other).update(ends_at=timezone.now())
    support = open_request(desk_people)
    assert (support.target_institution, support.assignee) == (other, None)
    assert notified(desk_people["target_colleague"], "support.received") == 1


def test_a_liaison_officer_who_moved_elsewhere_is_never_assigned(desk_people, other):
    desk_people["liaison"].institution = desk_people["third_institution"]
    desk_people["liaison"].save()
    support = open_request(desk_people, target_institution=other)
    assert support.target_institution == other and support.assignee is None


def test_a_target_institution_in_another_country_is_refused_naming_the_field(client, desk_people, other):
    client.force_login(desk_people["requester"])
    response = client.post(
        reverse("consortium:support-create"), FORM | {"target_country": "FR", "target_institution": other.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "target_institution": [
            "Università Altra is in Italy, not in France. Choose an institution in the country you ask about, "
            "or leave this empty."
        ]
    }
    assert not SupportRequest.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"question": "  "}, "question", "This field is required."),
        ({"subject": ""}, "subject", "This field is required."),
        ({"target_country": "ZZ"}, "target_country", "Select a valid choice. ZZ is not one of the available choices."),
        ({"languages_0_level": ""}, "languages", "Choose the level for Italian."),
        ({"category": "gossip"}, "category", "Select a valid choice. gossip is not one of the available choices."),
    ],
)
def test_bad_input_in_the_form_is_named_per_field(client, desk_people, change, field, message):
    client.force_login(desk_people["requester"])
    response = client.post(reverse("consortium:support-create"), FORM | change)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not SupportRequest.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"question": " "}, "question", "Write your question."),
        ({"target_country": "XX"}, "target_country", "Choose a country from the list."),
        ({"languages": [("it", "Z9")]}, "languages", "Give each language (ISO 639-1) with a CEFR level from A1 to C2."),
        ({"languages": [("it", "B1"), ("it", "C1")]}, "languages", "Each language can be listed once."),
        ({"degree_level": "kindergarten"}, "degree_level", "Choose a degree level from the list."),
        ({"subject": "x" * 201}, "subject", "At most 200 characters."),
    ],
)
def test_the_service_refuses_bad_input_naming_the_field(desk_people, change, field, message):
    with pytest.raises(ValidationError) as error:
        open_request(desk_people, **change)
    assert error.value.message_dict == {field: [message]}
    assert not SupportRequest.objects.exists()


def test_ones_own_institution_is_not_a_partner(desk_people, home):
    with pytest.raises(ValidationError) as error:
        open_request(desk_people, target_country="ES", target_institution=home)
    assert error.value.message_dict == {"target_institution": ["Choose a partner institution, not your own."]}


# Attachments


def test_an_attachment_that_is_not_what_its_name_says_is_refused(client, desk_people, other, media):
    client.force_login(desk_people["requester"])
    response = client.post(
        reverse("consortium:support-create"),
        FORM | {"target_institution": other.pk, "attachments": [upload(), upload(EXECUTABLE, "grades.pdf")]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "attachments": ["grades.pdf: This is not an allowed kind of file. Upload one of: PDF, DOCX, ODT."]
    }
    assert not SupportRequest.objects.exists() and not SupportAttachment.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*")), "nothing may stay on disk"


def test_at_most_ten_megabytes_and_five_files(desk_people, other):
    with pytest.raises(ValidationError) as error:
        open_request(desk_people, attachments=[upload(PDF + b"0" * (10 * 1024 * 1024))])
    assert error.value.message_dict == {"attachments": ["norms.pdf: The file is too large: at most 10 MB."]}
    with pytest.raises(ValidationError) as error:
        open_request(desk_people, attachments=[upload() for _ in range(6)])
    assert error.value.message_dict == {"attachments": ["Attach at most 5 files."]}


def test_attachments_are_downloaded_by_both_sides_only(client, desk_people, other):
    support = open_request(desk_people, target_institution=other, attachments=[upload()])
    attachment = support.attachments.get()
    url = reverse("consortium:support-attachment", args=[attachment.pk])
    for who in ("requester", "liaison", "target_admin"):
        client.force_login(desk_people[who])
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"] == 'attachment; filename="norms.pdf"'
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
    for who in ("third", "student", "target_student", "academic"):
        client.force_login(desk_people[who])
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


# The workflow, step by step


def test_claim_answer_resolve(client, desk_people, support, home):
    WebhookEndpoint.objects.create(
        institution=home, url="https://hooks.example.org/desk", event_types=["support_request.answered"]
    )
    liaison, requester = desk_people["liaison"], desk_people["requester"]
    client.force_login(liaison)
    assert client.post(reverse("consortium:support-claim", args=[support.pk])).status_code == 302
    support.refresh_from_db()
    assert support.status == SupportStatus.CLAIMED and support.claimed_at and support.assignee == liaison
    assert notified(requester, "support.claimed") == 1

    response = client.post(
        reverse("consortium:support-message", args=[support.pk]),
        {"body": "Yes, with a stipend of at least 500 EUR.", "kind": "message", "attachments": [upload()]},
    )
    assert response.status_code == 302
    support.refresh_from_db()
    assert support.status == SupportStatus.ANSWERED and support.first_response_at and support.answered_at
    assert support.messages.get(kind="message").attachments.count() == 1
    assert notified(requester, "support.message") == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.event_type == "support_request.answered"
    assert delivery.payload["data"] | {"first_response_at": None, "answered_at": None} == {
        "id": support.pk,
        "subject": "Internship norms in Italy",
        "status": "answered",
        "target_country": "IT",
        "target_institution": "ua",
        "first_response_at": None,
        "answered_at": None,
        "url": support.get_absolute_url(),
    }

    client.force_login(requester)
    page = client.get(support.get_absolute_url()).content.decode()
    assert "Yes, with a stipend of at least 500 EUR." in page and "Resolve and rate the answer" in page
    response = client.post(
        reverse("consortium:support-resolve", args=[support.pk]),
        {"rating": "4", "comment": "Very helpful", "publication_consent": "on"},
    )
    assert response.status_code == 302
    support.refresh_from_db()
    assert (support.status, support.rating, support.rating_comment, support.publication_consent) == (
        SupportStatus.RESOLVED,
        4,
        "Very helpful",
        True,
    )
    assert support.resolved_at and notified(liaison, "support.resolved") == 1


def test_the_first_answer_sets_the_first_response_once(desk_people, support):
    support = answered(desk_people, support)
    first = support.first_response_at
    assert support.assignee == desk_people["liaison"]
    desk.post_support_message(request=support, author=desk_people["target_colleague"], body="And a tip.")
    support.refresh_from_db()
    assert support.first_response_at == first and support.answered_at > first
    assert support.assignee == desk_people["liaison"], "a colleague's answer does not take the request"


def test_a_reply_to_the_answer_hands_the_request_back(desk_people, support):
    support = answered(desk_people, support)
    desk.post_support_message(request=support, author=desk_people["requester"], body="And for a Bachelor?")
    support.refresh_from_db()
    assert support.status == SupportStatus.CLAIMED
    assert notified(desk_people["liaison"], "support.message") == 1


def test_the_requester_reopens_with_a_reason(client, desk_people, support):
    support = answered(desk_people, support)
    client.force_login(desk_people["requester"])
    response = client.post(reverse("consortium:support-reopen", args=[support.pk]), {"reason": " "})
    assert response.status_code == 200 and response.context["reopen_form"].errors == {
        "reason": ["This field is required."]
    }
    response = client.post(reverse("consortium:support-reopen", args=[support.pk]), {"reason": "What about visas?"})
    assert response.status_code == 302
    support.refresh_from_db()
    assert support.status == SupportStatus.REOPENED and support.assignee == desk_people["liaison"]
    assert support.messages.filter(kind="message", body="What about visas?").exists()
    assert notified(desk_people["liaison"], "support.reopened") == 1


def test_a_reopened_request_goes_to_the_new_liaison_when_the_old_one_left(desk_people, support, other):
    support = answered(desk_people, support)
    desk.resolve_support_request(request=support, by=desk_people["requester"], rating=3)
    LiaisonNomination.objects.filter(institution=other).update(ends_at=timezone.now())
    LiaisonNomination.objects.create(institution=other, officer=desk_people["target_colleague"])
    desk_people["liaison"].is_active = False
    desk_people["liaison"].save()
    desk.reopen_support_request(request=support, by=desk_people["requester"], reason="One more thing")
    support.refresh_from_db()
    assert support.assignee == desk_people["target_colleague"]
    assert support.rating is None and support.resolved_at is None


def test_bad_steps_are_refused_with_a_reason(desk_people, support):
    with pytest.raises(ValidationError) as error:
        desk.resolve_support_request(request=support, by=desk_people["requester"], rating=5)
    assert error.value.messages == ["There is no answer to rate yet."]
    support = answered(desk_people, support)
    with pytest.raises(ValidationError) as error:
        desk.resolve_support_request(request=support, by=desk_people["requester"], rating=6)
    assert error.value.message_dict == {"rating": ["Rate the answer from 1 to 5."]}
    with pytest.raises(ValidationError) as error:
        desk.post_support_message(request=support, author=desk_people["liaison"], body="   ")
    assert error.value.message_dict == {"body": ["Write a message."]}
    desk.resolve_support_request(request=support, by=desk_people["requester"], rating=5)
    with pytest.raises(ValidationError) as error:
        desk.post_support_message(request=support, author=desk_people["liaison"], body="Late")
    assert error.value.messages == ["This request is closed. Reopen it to write again."]
    with pytest.raises(ValidationError):
        desk.claim_support_request(request=support, by=desk_people["liaison"])


def test_claiming_twice_changes_nothing(desk_people, support):
    desk.claim_support_request(request=support, by=desk_people["liaison"])
    desk.claim_support_request(request=support, by=desk_people["liaison"])
    assert support.messages.filter(kind="event").count() == 2  # routed, claimed
    assert notified(desk_people["requester"], "support.claimed") == 1


def test_a_colleague_takes_over_and_the_previous_assignee_is_told(desk_people, support):
    desk.claim_support_request(request=support, by=desk_people["liaison"])
    desk.claim_support_request(request=support, by=desk_people["target_colleague"])
    support.refresh_from_db()
    assert support.assignee == desk_people["target_colleague"]
    assert notified(desk_people["liaison"], "support.claimed") == 1


# Who may take each step


STEPS = {
    "claim": ("consortium:support-claim", {}),
    "answer": ("consortium:support-message", {"body": "An answer", "kind": "message"}),
    "note": ("consortium:support-message", {"body": "A note", "kind": "note"}),
    "resolve": ("consortium:support-resolve", {"rating": "5"}),
    "reopen": ("consortium:support-reopen", {"reason": "Missing"}),
}


@pytest.mark.parametrize(
    ("who", "step", "status"),
    [
        ("requester", "claim", 403),
        ("requester", "note", 403),
        ("colleague", "claim", 403),
        ("liaison", "resolve", 403),
        ("liaison", "reopen", 403),
        ("target_colleague", "claim", 302),
        ("target_admin", "note", 302),
        ("third", "claim", 404),
        ("third", "answer", 404),
        ("third", "resolve", 404),
        ("student", "resolve", 404),
        ("target_student", "claim", 404),
        ("academic", "answer", 404),
        ("consortium_admin", "claim", 404),
    ],
)
def test_who_may_take_each_step(client, desk_people, support, who, step, status):
    support = answered(desk_people, support) if step in ("resolve", "reopen") else support
    before = (support.status, support.assignee_id, support.messages.count())
    client.force_login(desk_people[who])
    name, data = STEPS[step]
    assert client.post(reverse(name, args=[support.pk]), data).status_code == status
    support.refresh_from_db()
    if status != 302:
        assert (support.status, support.assignee_id, support.messages.count()) == before


@pytest.mark.parametrize("name", ["support-detail", "support-claim", "support-message", "support-resolve"])
def test_anonymous_visitors_are_sent_to_sign_in(client, support, name):
    response = client.post(reverse(f"consortium:{name}", args=[support.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["requester", "colleague", "liaison", "target_colleague", "target_admin"])
def test_both_institutions_career_staff_see_the_request(client, desk_people, support, who):
    client.force_login(desk_people[who])
    assert client.get(support.get_absolute_url()).status_code == 200
    box = "sent" if who in ("requester", "colleague") else "incoming"
    response = client.get(reverse("consortium:support-list"), {"box": box})
    assert [row.pk for row in response.context["page"]] == [support.pk]


@pytest.mark.parametrize("who", ["third", "third_liaison", "student", "target_student", "academic", "consortium_admin"])
def test_everyone_else_gets_404(client, desk_people, support, who):
    client.force_login(desk_people[who])
    assert client.get(support.get_absolute_url()).status_code == 404
    assert SupportRequest.objects.visible_to(desk_people[who]).count() == 0


@pytest.mark.parametrize("who", ["student", "target_student", "academic"])
def test_students_never_see_the_desk(client, desk_people, who):
    client.force_login(desk_people[who])
    assert client.get(reverse("consortium:support-list")).status_code == 404
    assert client.get(reverse("consortium:support-create")).status_code == 404
    assert "Support desk" not in client.get(reverse("jobs:index")).content.decode()


def test_the_navigation_links_the_desk_for_officers(client, desk_people):
    client.force_login(desk_people["requester"])
    assert reverse("consortium:support-list") in client.get(reverse("jobs:index")).content.decode()


# The thread and its internal notes


def test_internal_notes_are_for_the_target_institutions_staff_only(client, desk_people, support):
    desk.post_support_message(
        request=support,
        author=desk_people["liaison"],
        body="Ask the Politecnico's office first",
        internal=True,
        attachments=[upload(name="contacts.pdf")],
    )
    note = support.messages.get(kind="note")
    attachment = note.attachments.get()
    support.refresh_from_db()
    assert support.status == SupportStatus.OPEN and support.first_response_at is None, "a note is no answer"

    client.force_login(desk_people["target_colleague"])
    page = client.get(support.get_absolute_url()).content.decode()
    assert "Ask the Politecnico&#x27;s office first" in page and "contacts.pdf" in page
    for who in ("requester", "colleague"):
        client.force_login(desk_people[who])
        page = client.get(support.get_absolute_url()).content.decode()
        assert "Politecnico" not in page and "contacts.pdf" not in page
        assert client.get(reverse("consortium:support-attachment", args=[attachment.pk])).status_code == 404
        assert not SupportMessage.objects.visible_to(desk_people[who]).filter(kind="note").exists()


def test_a_bad_message_is_shown_next_to_its_field(client, desk_people, support):
    client.force_login(desk_people["liaison"])
    response = client.post(
        reverse("consortium:support-message", args=[support.pk]),
        {"body": "Here", "kind": "message", "attachments": [upload(b"<html>", "answer.pdf")]},
    )
    assert response.status_code == 200
    assert response.context["message_form"].errors == {
        "attachments": ["answer.pdf: This is not an allowed kind of file. Upload one of: PDF, DOCX, ODT."]
    }
    assert not support.messages.filter(kind="message").exists()


# Closing by itself


def test_answered_requests_without_a_reaction_close_themselves_once(desk_people, support, settings):
    support = answered(desk_people, support)
    fresh = answered(desk_people, open_request(desk_people))
    long_ago = timezone.now() - datetime.timedelta(days=settings.SUPPORT_AUTO_CLOSE_DAYS, hours=1)
    SupportRequest.objects.filter(pk=support.pk).update(answered_at=long_ago)

    assert close_stale_support_requests.delay().get() == 1
    assert close_stale_support_requests.delay().get() == 0
    support.refresh_from_db()
    fresh.refresh_from_db()
    assert support.status == SupportStatus.CLOSED and support.closed_at
    assert fresh.status == SupportStatus.ANSWERED
    assert support.messages.filter(kind="event", body__startswith="Closed after 14 days").count() == 1
    assert notified(desk_people["requester"], "support.closed") == 1
    assert notified(desk_people["liaison"], "support.closed") == 1
    # The requester may still take it up again.
    desk.reopen_support_request(request=support, by=desk_people["requester"], reason="Still open for me")
    support.refresh_from_db()
    assert support.status == SupportStatus.REOPENED and support.closed_at is None


# The lists


def test_overdue_requests_stand_out(client, desk_people, support):
    SupportRequest.objects.filter(pk=support.pk).update(
        first_response_due_at=timezone.now() - datetime.timedelta(hours=1)
    )
    client.force_login(desk_people["liaison"])
    page = client.get(reverse("consortium:support-list")).content.decode()
    assert "Overdue" in page
    answered(desk_people, support)
    assert "Overdue" not in client.get(reverse("consortium:support-list")).content.decode()


def test_the_tabs_show_each_side(client, desk_people, support):
    client.force_login(desk_people["liaison"])
    response = client.get(reverse("consortium:support-list"))
    assert response.context["box"] == "incoming"
    assert [name for name, _label, _count in response.context["tabs"]] == ["incoming", "sent", "shared"]
    client.force_login(desk_people["requester"])
    response = client.get(reverse("consortium:support-list"))
    assert response.context["box"] == "sent" and [row.pk for row in response.context["page"]] == [support.pk]
    assert [name for name, _label, _count in response.context["tabs"]] == ["incoming", "sent"]


@pytest.mark.parametrize("box", ["incoming", "sent", "shared"])
def test_the_desk_lists_cost_the_same_whatever_their_length(client, desk_people, django_assert_max_num_queries, box):
    liaison = desk_people["liaison"]
    third_liaison = desk_people["third_liaison"]
    # Requests both ways and in the shared queue, with assignees, requesters and attachments.
    for _ in range(2):
        open_request(desk_people)
        open_request(desk_people, target_country="NO")
        desk.open_support_request(
            requester=liaison, target_country="FR", category="other", subject="Back", question="Q?"
        )
    client.force_login(liaison)
    url = reverse("consortium:support-list") + f"?box={box}"
    client.get(url)
    with django_assert_max_num_queries(10) as few:
        assert client.get(url).status_code == 200
    for _ in range(8):
        open_request(desk_people)
        open_request(desk_people, target_country="NO")
        desk.open_support_request(
            requester=liaison, target_country="FR", category="other", subject="Back", question="Q?"
        )
    desk.claim_support_request(request=SupportRequest.objects.filter(in_shared_queue=True).first(), by=third_liaison)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"]) >= 9


# The shared queue: the asking institution stays on the asking side


@pytest.fixture
def home_liaison(make_user, home):
    """The asking institution's own liaison officer, who sees the shared queue like every liaison."""
    officer = make_user(Role.CAREER_OFFICER, institution=home, full_name="Lía Casa")
    LiaisonNomination.objects.create(institution=home, officer=officer)
    return officer


def test_internal_notes_on_a_shared_request_are_hidden_from_the_asking_institutions_liaison(
    client, desk_people, home_liaison
):
    support = open_request(desk_people, target_country="NO")
    desk.post_support_message(
        request=support,
        author=desk_people["third_liaison"],
        body="Ask the embassy first",
        internal=True,
        attachments=[upload(name="contacts.pdf")],
    )
    attachment = support.messages.get(kind="note").attachments.get()
    attachment_url = reverse("consortium:support-attachment", args=[attachment.pk])
    # The target side: every other liaison officer.
    client.force_login(desk_people["liaison"])
    assert "Ask the embassy first" in client.get(support.get_absolute_url()).content.decode()
    assert client.get(attachment_url).status_code == 200
    # The asking side, its liaison officer included, sees the request but not the note.
    for who in ("home_liaison", "requester", "colleague"):
        user = home_liaison if who == "home_liaison" else desk_people[who]
        client.force_login(user)
        page = client.get(support.get_absolute_url())
        assert page.status_code == 200 and "embassy" not in page.content.decode()
        assert "Add as an internal note" not in page.content.decode()
        assert client.get(attachment_url).status_code == 404
        assert not SupportMessage.objects.visible_to(user).filter(kind="note").exists()
        assert not SupportAttachment.objects.visible_to(user).exists()
        response = client.post(
            reverse("consortium:support-message", args=[support.pk]), {"body": "Peek", "kind": "note"}
        )
        assert response.status_code == 403
        with pytest.raises(PermissionDenied):
            desk.claim_support_request(request=support, by=user)
    # An officer of a third institution who is no liaison officer sees nothing at all.
    client.force_login(desk_people["third"])
    assert client.get(support.get_absolute_url()).status_code == 404
    assert client.get(attachment_url).status_code == 404


def test_a_shared_request_is_announced_to_the_liaison_officers_but_the_askers(desk_people, home_liaison):
    support = open_request(desk_people, target_country="NO")
    for who in ("liaison", "third_liaison"):
        notification = Notification.objects.get(recipient=desk_people[who], kind="support.shared_queue")
        assert notification.url == support.get_absolute_url()
    assert notified(home_liaison, "support.shared_queue") == 0
    # Admins hear of it without a link to a page they may not open.
    admin_notification = Notification.objects.get(recipient=desk_people["consortium_admin"])
    assert (admin_notification.kind, admin_notification.url) == ("support.shared_queue", "")

    desk.post_support_message(request=support, author=desk_people["requester"], body="Any news?")
    assert notified(desk_people["liaison"], "support.message") == 1
    assert notified(desk_people["third_liaison"], "support.message") == 1
    assert notified(home_liaison, "support.message") == 0


def test_shared_queue_reminders_and_escalations_skip_the_asking_institution(desk_people, home_liaison):
    from consortium.services.support_sla import check_support_deadlines

    support = open_request(desk_people, target_country="NO")
    check_support_deadlines(now=support.created_at + (support.first_response_due_at - support.created_at) * 0.9)
    check_support_deadlines(now=support.first_response_due_at + datetime.timedelta(minutes=1))
    for kind in ("support.reminder", "support.breach"):
        assert notified(desk_people["liaison"], kind) == 1
        assert notified(desk_people["third_liaison"], kind) == 1
        assert notified(home_liaison, kind) == 0
    assert notified(desk_people["consortium_admin"], "support.breach") == 1


# Each step judges the request as it is under the lock, not as the page loaded it


def test_a_shared_request_claimed_meanwhile_is_not_the_others_to_note_or_claim(desk_people):
    support = open_request(desk_people, target_country="NO")
    # Two pages loaded while the request was still in the shared queue.
    stale_page, other_stale_page = (SupportRequest.objects.get(pk=support.pk) for _ in range(2))
    desk.claim_support_request(request=support, by=desk_people["liaison"])
    with pytest.raises(PermissionDenied):
        desk.post_support_message(request=stale_page, author=desk_people["third_liaison"], body="Mine", internal=True)
    with pytest.raises(PermissionDenied):
        desk.claim_support_request(request=other_stale_page, by=desk_people["third_liaison"])
    support.refresh_from_db()
    assert support.assignee == desk_people["liaison"] and not support.messages.filter(kind="note").exists()


# Attachments: the name must say what the content is


def test_an_attachment_named_for_another_kind_is_refused(client, desk_people, other):
    client.force_login(desk_people["requester"])
    response = client.post(
        reverse("consortium:support-create"),
        FORM | {"target_institution": other.pk, "attachments": [upload(odt(), "cv.pdf"), upload(name="page.html")]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "attachments": [
            "cv.pdf: The content is ODT, but the name does not end in .odt.",
            "page.html: The content is PDF, but the name does not end in .pdf.",
        ]
    }
    assert not SupportRequest.objects.exists() and not SupportAttachment.objects.exists()
    # Upper-case extensions are the same name.
    support = open_request(desk_people, attachments=[upload(name="NORMS.PDF")])
    assert support.attachments.get().name == "NORMS.PDF"


def test_an_attachment_is_downloaded_under_the_name_of_its_kind(client, desk_people, support):
    attachment = SupportAttachment(request=support, uploaded_by=desk_people["requester"], name="page.html", kind="pdf")
    attachment.file.save("page.pdf", SimpleUploadedFile("page.pdf", PDF), save=False)
    attachment.size = len(PDF)
    attachment.save()
    client.force_login(desk_people["liaison"])
    response = client.get(reverse("consortium:support-attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="page.pdf"'
    assert response["Content-Type"] == "application/pdf"


# Reopening, resolving and publication consent


def test_reopening_keeps_the_publication_consent_and_the_published_article(client, desk_people, support):
    from consortium.services import knowledge

    support = answered(desk_people, support)
    desk.resolve_support_request(request=support, by=desk_people["requester"], rating=5, publication_consent=True)
    article = knowledge.publish_article(
        support_request=support,
        by=desk_people["liaison"],
        title="Internships in Italy",
        question="Are unpaid internships usual?",
        answer="With a stipend of 500 EUR.",
        country="IT",
        category="internships",
    )
    desk.reopen_support_request(request=support, by=desk_people["requester"], reason="And for a Bachelor?")
    support.refresh_from_db()
    article.refresh_from_db()
    assert support.status == SupportStatus.REOPENED and support.publication_consent is True
    assert article.is_published
    # Resolving again offers the consent as it stands.
    answered(desk_people, support)
    client.force_login(desk_people["requester"])
    form = client.get(support.get_absolute_url()).context["resolve_form"]
    assert form["publication_consent"].value() is True


@pytest.mark.parametrize("status", [SupportStatus.OPEN, SupportStatus.CLAIMED, SupportStatus.REOPENED])
def test_only_an_answered_or_closed_request_can_be_resolved(client, desk_people, support, status):
    support = answered(desk_people, support)
    SupportRequest.objects.filter(pk=support.pk).update(status=status)
    client.force_login(desk_people["requester"])
    page = client.get(support.get_absolute_url()).content.decode()
    assert "Resolve and rate the answer" not in page
    response = client.post(reverse("consortium:support-resolve", args=[support.pk]), {"rating": "5"})
    assert response.status_code == 200
    assert response.context["resolve_form"].non_field_errors() == [
        f"This request is {SupportStatus(status).label}: the partner has not answered it again yet."
    ]
    support.refresh_from_db()
    assert support.status == status and support.rating is None and support.resolved_at is None


def test_a_closed_request_can_still_be_resolved_and_rated(client, desk_people, support):
    support = answered(desk_people, support)
    SupportRequest.objects.filter(pk=support.pk).update(status=SupportStatus.CLOSED, closed_at=timezone.now())
    client.force_login(desk_people["requester"])
    assert "Resolve and rate the answer" in client.get(support.get_absolute_url()).content.decode()
    response = client.post(reverse("consortium:support-resolve", args=[support.pk]), {"rating": "4"})
    assert response.status_code == 302
    support.refresh_from_db()
    assert (support.status, support.rating, support.closed_at) == (SupportStatus.RESOLVED, 4, None)


# Two officers claiming at once


def test_a_claim_on_a_request_someone_took_meanwhile_is_refused_naming_them(client, desk_people, other):
    LiaisonNomination.objects.filter(institution=other).update(ends_at=timezone.now())
    support = open_request(desk_people, target_institution=other)
    assert support.assignee is None
    client.force_login(desk_people["liaison"])
    assert 'name="expected_assignee" value=""' in client.get(support.get_absolute_url()).content.decode()
    url = reverse("consortium:support-claim", args=[support.pk])

    # A colleague was quicker, from the same page in another browser.
    quicker = Client()
    quicker.force_login(desk_people["target_colleague"])
    assert quicker.post(url, {"expected_assignee": ""}).status_code == 302
    response = client.post(url, {"expected_assignee": ""}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        f"{desk_people['target_colleague']} took this request in the meantime. "
        "Take it over from them only if you agreed on it."
    ]
    support.refresh_from_db()
    assert support.assignee == desk_people["target_colleague"]
    assert notified(desk_people["target_colleague"], "support.claimed") == 0

    # The page now offers a take-over, naming the holder it showed: that is deliberate and goes through.
    page = response.content.decode()
    assert "Take over this request" in page
    assert f'name="expected_assignee" value="{desk_people["target_colleague"].pk}"' in page
    assert client.post(url, {"expected_assignee": desk_people["target_colleague"].pk}).status_code == 302
    support.refresh_from_db()
    assert support.assignee == desk_people["liaison"]
    assert notified(desk_people["target_colleague"], "support.claimed") == 1
