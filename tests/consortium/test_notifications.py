"""notify(), consent per kind and channel, the inbox, and e-mail delivery."""

import pytest
from django.urls import reverse
from django.utils import timezone

from consortium import services
from consortium.models import Channel, ConsentRecord, Delivery, Notification, Role
from consortium.registry import NOTIFICATION_KINDS, register_notification_kind
from consortium.services.notifications import notify, set_notification_preferences, unsubscribe, unsubscribe_token
from consortium.tasks import deliver_email, requeue_stale_deliveries
from tests.factories import LiaisonNominationFactory

pytestmark = pytest.mark.django_db

TEMPLATES_DIR = __import__("pathlib").Path(__file__).resolve().parents[1] / "templates"


@pytest.fixture
def newsletter(settings):
    """An optional kind, as a feature app would declare one."""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEMPLATES_DIR]}]
    register_notification_kind("test.newsletter", "Career news", template="tests/newsletter.txt", transactional=False)
    yield "test.newsletter"
    del NOTIFICATION_KINDS["test.newsletter"]


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """notify() inside a transaction that commits, so that its e-mails go out."""

    def run(recipients, kind, key="k1", **context):
        with django_capture_on_commit_callbacks(execute=True):
            return notify(recipients, kind, context={"headline": "Fairs in Milan", **context}, dedupe_key=key)

    return run


def test_unknown_kinds_are_refused(people):
    with pytest.raises(ValueError, match="Unknown notification kind"):
        notify([people["student"]], "no.such.kind", context={}, dedupe_key="x")


def test_students_get_optional_kinds_in_the_inbox_but_no_email_until_they_opt_in(people, newsletter, mailoutbox, send):
    send([people["student"], people["officer"]], newsletter)
    assert Notification.objects.filter(recipient=people["student"], in_inbox=True).count() == 1
    assert [m.to for m in mailoutbox] == [[people["officer"].email]]
    set_notification_preferences(user=people["student"], choices={newsletter: {Channel.IN_APP, Channel.EMAIL}})
    send([people["student"]], newsletter, key="k2")
    assert [m.to for m in mailoutbox][-1] == [people["student"].email]


def test_notify_twice_with_one_key_sends_once(people, newsletter, mailoutbox, send):
    send([people["officer"]], newsletter)
    send([people["officer"]], newsletter)
    assert Notification.objects.filter(recipient=people["officer"]).count() == 1
    assert len(mailoutbox) == 1


def test_consent_given_and_withdrawn_is_recorded_with_its_time(client, people, newsletter):
    student = people["student"]
    client.force_login(student)
    url = reverse("consortium:notification-preferences")
    client.post(url, {f"{newsletter}:in_app": "1", f"{newsletter}:email": "1"})
    client.post(url, {f"{newsletter}:in_app": "1"})
    # Only this kind's records: the form also carries every other optional kind the apps register.
    records = list(ConsentRecord.objects.filter(user=student, kind=newsletter).order_by("created_at", "pk"))
    assert [(r.channel, r.granted, r.source) for r in records] == [
        ("email", True, "preferences"),
        ("email", False, "preferences"),
    ]
    assert all((timezone.now() - r.created_at).total_seconds() < 10 for r in records)


def test_preferences_page_lists_every_kind_and_locks_transactional_ones(client, people, newsletter):
    client.force_login(people["student"])
    page = client.get(reverse("consortium:notification-preferences")).content.decode()
    assert "Career news" in page and "Liaison officer nominations" in page
    assert f'name="{newsletter}:email"' in page
    assert 'name="liaison.nominated:email"' not in page


def test_optional_emails_carry_one_click_unsubscribe(client, people, newsletter, mailoutbox, send):
    officer = people["officer"]
    send([officer], newsletter)
    message = mailoutbox[0]
    token = unsubscribe_token(officer, newsletter)
    link = f"http://127.0.0.1:8000{reverse('consortium:unsubscribe', args=[token])}"
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.body and message.subject == "Career news: Fairs in Milan"
    # A mail client's one-click POST: no session, no CSRF token.
    response = client.post(link.replace("http://127.0.0.1:8000", ""), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert ConsentRecord.objects.get(user=officer).source == "unsubscribe"
    send([officer], newsletter, key="k2")
    assert len(mailoutbox) == 1


def test_opening_the_unsubscribe_link_asks_before_acting(client, people, newsletter):
    token = unsubscribe_token(people["officer"], newsletter)
    response = client.get(reverse("consortium:unsubscribe", args=[token]))
    assert response.status_code == 200 and "Stop e-mails about" in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_a_forged_unsubscribe_link_is_refused(client):
    response = client.post(reverse("consortium:unsubscribe", args=["forged"]))
    assert response.status_code == 400


def test_transactional_emails_have_no_unsubscribe_and_follow_the_language(
    people, home, mailoutbox, make_user, django_capture_on_commit_callbacks
):
    nuevo = make_user(Role.CAREER_OFFICER, full_name="Nuria Nueva", preferred_language="es")
    LiaisonNominationFactory(institution=home, officer=people["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        services.nominate_liaison(institution=home, officer=nuevo, by=people["admin"])
    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert set(by_recipient) == {nuevo.email, people["officer"].email}
    spanish = by_recipient[nuevo.email]
    assert "List-Unsubscribe" not in spanish.extra_headers
    assert spanish.subject.startswith("Ahora eres")
    assert by_recipient[people["officer"].email].subject == "Nuria Nueva replaced you as liaison officer"
    assert Notification.objects.get(recipient=nuevo).kind == "liaison.nominated"


def test_the_inbox_is_private(client, people, newsletter, send):
    send([people["officer"], people["student"]], newsletter)
    theirs = Notification.objects.get(recipient=people["officer"])
    client.force_login(people["student"])
    assert client.post(reverse("consortium:notification-read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    page = client.get(reverse("consortium:inbox")).content.decode()
    assert page.count("Career news: Fairs in Milan") == 1


def test_unread_count_and_mark_all_read(client, people, newsletter, send):
    for key in ("a", "b", "c"):
        send([people["student"]], newsletter, key=key)
    client.force_login(people["student"])
    assert ">3<" in client.get(reverse("consortium:unread-count")).content.decode()
    client.post(reverse("consortium:notifications-read-all"))
    assert "rounded-pill" not in client.get(reverse("consortium:unread-count")).content.decode()


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, people, home):
    notification = Notification.objects.create(
        recipient=people["student"], kind="liaison.nominated", title="T", url="/guides/", dedupe_key="x"
    )
    client.force_login(people["student"])
    response = client.post(reverse("consortium:notification-read", args=[notification.pk]), {"open": "1"})
    assert response.url == "/guides/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_e_mail_only_notifications_stay_out_of_the_inbox(people, newsletter, mailoutbox, send):
    set_notification_preferences(user=people["officer"], choices={newsletter: {Channel.EMAIL}})
    send([people["officer"]], newsletter)
    assert len(mailoutbox) == 1
    assert not Notification.objects.visible_to(people["officer"]).inbox().exists()


def test_delivering_twice_sends_once(people, newsletter, mailoutbox, send):
    send([people["officer"]], newsletter)
    delivery = Delivery.objects.get()
    deliver_email(delivery.pk)
    deliver_email(delivery.pk)
    assert len(mailoutbox) == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 1


def test_deactivated_people_are_skipped(people, newsletter, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notify([people["officer"]], newsletter, context={"headline": "x"}, dedupe_key="x")
    people["officer"].is_active = False
    people["officer"].save()
    deliver_email(Delivery.objects.get().pk)
    assert mailoutbox == [] and Delivery.objects.get().status == "skipped"


def test_stale_pending_deliveries_are_queued_again(people, newsletter, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notify([people["officer"]], newsletter, context={"headline": "lost"}, dedupe_key="lost")
        notify([people["academic"]], newsletter, context={"headline": "fresh"}, dedupe_key="fresh")
    Delivery.objects.filter(recipient=people["officer"]).update(created_at=timezone.now() - timezone.timedelta(hours=1))
    assert requeue_stale_deliveries() == 1
    assert [m.to for m in mailoutbox] == [[people["officer"].email]]
    assert requeue_stale_deliveries() == 0


class RefusingBackend:
    """A mail server that refuses the recipient: a permanent error."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"No such mailbox")})


class DownBackend(RefusingBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_a_refused_recipient_is_marked_failed_not_retried(people, newsletter, settings, send):
    settings.EMAIL_BACKEND = "tests.consortium.test_notifications.RefusingBackend"
    send([people["officer"]], newsletter)
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "550" in delivery.last_error and delivery.attempts == 1
    deliver_email(delivery.pk)
    assert Delivery.objects.get().attempts == 1


def test_a_mail_server_that_stays_down_ends_in_failed_after_the_retries(
    people, newsletter, settings, django_capture_on_commit_callbacks
):
    from consortium.services.notifications import send_email_delivery

    settings.EMAIL_BACKEND = "tests.consortium.test_notifications.DownBackend"
    with django_capture_on_commit_callbacks(execute=False):
        notify([people["officer"]], newsletter, context={"headline": "x"}, dedupe_key="x")
    pk = Delivery.objects.get().pk
    with pytest.raises(ConnectionRefusedError):
        send_email_delivery(delivery_id=pk, last_try=False)  # the task retries this one
    assert Delivery.objects.get().status == "pending"
    send_email_delivery(delivery_id=pk, last_try=True)
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "mail server down" in delivery.last_error


def test_unsubscribing_while_a_message_waits_stops_it(
    people, newsletter, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        notify([people["officer"]], newsletter, context={"headline": "x"}, dedupe_key="x")
    unsubscribe(token=unsubscribe_token(people["officer"], newsletter))
    deliver_email(Delivery.objects.get().pk)
    assert mailoutbox == [] and Delivery.objects.get().status == "skipped"


@pytest.mark.parametrize("roles", [(Role.STUDENT, Role.ACADEMIC), (Role.COMPANY_CONTACT,), ()])
def test_optional_email_waits_for_consent_from_students_and_outsiders(make_user, newsletter, mailoutbox, send, roles):
    person = make_user(*roles)
    send([person], newsletter)
    assert mailoutbox == []
    assert Notification.objects.filter(recipient=person).exists()


def test_unsubscribe_links_of_erased_accounts_do_nothing(client, people, newsletter):
    token = unsubscribe_token(people["officer"], newsletter)
    people["officer"].is_active = False
    people["officer"].save()
    assert client.post(reverse("consortium:unsubscribe", args=[token])).status_code == 400
