"""notify() and each person's say over it: channels per kind, consent, unsubscribe, read state."""

import smtplib
from collections.abc import Iterable

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import mail
from ..models import (
    STAFF_ROLES,
    Channel,
    ConsentRecord,
    Delivery,
    Notification,
    NotificationPreference,
    Role,
    User,
)
from ..registry import NOTIFICATION_KINDS, NotificationKind

UNSUBSCRIBE_SALT = "consortium.unsubscribe"


def _kind(name: str) -> NotificationKind:
    try:
        return NOTIFICATION_KINDS[name]
    except KeyError:
        raise ValueError(f"Unknown notification kind {name!r}: register it first.") from None


def default_channels(user: User, kind: NotificationKind) -> set[str]:
    if kind.transactional:
        return {Channel.IN_APP, Channel.EMAIL}
    # Career services may not e-mail students (nor outsiders) who have not agreed to it: optional
    # e-mail starts switched on only for staff, and never for anyone who is also a student.
    staff = bool(user.roles & STAFF_ROLES) and Role.STUDENT not in user.roles
    return {Channel.IN_APP} | ({Channel.EMAIL} if kind.email_by_default and staff else set())


def channels_for(user: User, kind: NotificationKind, preference: NotificationPreference | None) -> set[str]:
    if kind.transactional or preference is None:
        return default_channels(user, kind)
    return {channel for channel in Channel.values if getattr(preference, channel)}


def _render(kind: NotificationKind, recipient: User, context: dict) -> tuple[str, str]:
    """The template's first line is the title, the rest the body; written in the recipient's language."""
    with translation.override(recipient.preferred_language):
        text = render_to_string(kind.template, {**context, "recipient": recipient}).strip()
    title, _newline, body = text.partition("\n")
    return title.strip()[:200], body.strip()


@transaction.atomic
def notify(
    recipients: Iterable[User],
    kind: str,
    *,
    context: dict,
    dedupe_key: str,
    target: Model | None = None,
) -> list[Notification]:
    """Write an in-app notification for each recipient and queue e-mail where their choices allow.

    Idempotent: a second call with the same kind and dedupe key creates and sends nothing. E-mails
    are queued after the surrounding transaction commits.
    """
    from ..tasks import deliver_email

    definition = _kind(kind)
    recipients = [r for r in recipients if r is not None and r.is_active]
    preferences = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=recipients, kind=kind)}
    url = target.get_absolute_url() if target is not None and hasattr(target, "get_absolute_url") else ""
    created = []
    for recipient in recipients:
        channels = channels_for(recipient, definition, preferences.get(recipient.pk))
        title, body = _render(definition, recipient, context)
        notification, is_new = Notification.objects.get_or_create(
            recipient=recipient,
            kind=kind,
            dedupe_key=dedupe_key,
            defaults={
                "title": title,
                "body": body,
                "url": context.get("url", url),
                "in_inbox": Channel.IN_APP in channels,
            },
        )
        if not is_new:
            continue
        created.append(notification)
        # The weekly digest reads the notifications themselves; only e-mail needs a delivery row.
        if Channel.EMAIL in channels:
            delivery, fresh = Delivery.objects.get_or_create(
                recipient=recipient,
                channel=Channel.EMAIL,
                dedupe_key=f"{kind}:{dedupe_key}",
                defaults={"notification": notification},
            )
            if fresh:
                deliver_email.delay_on_commit(delivery.pk)
    return created


# The person's own choices


def preference_rows(user: User) -> list[dict]:
    """Every registered kind with the channels it reaches this person on, for the preferences page."""
    saved = {p.kind: p for p in user.notification_preferences.all()}
    rows = []
    for kind in sorted(NOTIFICATION_KINDS.values(), key=lambda k: (k.transactional, str(k.label))):
        rows.append({"kind": kind, "channels": channels_for(user, kind, saved.get(kind.name))})
    return rows


@transaction.atomic
def set_notification_preferences(
    *, user: User, choices: dict[str, set[str]], source: str = ConsentRecord.Source.PREFERENCES
) -> None:
    """Save the channels for optional kinds and record every consent given or withdrawn.

    Locks the person's row, so that two saves at once cannot both create a preference.
    """
    User.objects.select_for_update().get(pk=user.pk)
    saved = {p.kind: p for p in user.notification_preferences.all()}
    for name, channels in choices.items():
        kind = _kind(name)
        if kind.transactional:
            continue
        before = channels_for(user, kind, saved.get(name))
        preference = saved.get(name) or NotificationPreference(user=user, kind=name)
        for channel in Channel.values:
            setattr(preference, channel, channel in channels)
        preference.save()
        ConsentRecord.objects.bulk_create(
            ConsentRecord(user=user, kind=name, channel=channel, granted=channel in channels, source=source)
            for channel in Channel.values
            if (channel in channels) != (channel in before)
        )


def unsubscribe_token(user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_target(token: str) -> tuple[User, NotificationKind]:
    """The person and kind an unsubscribe link names; ValidationError when it names none."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return User.objects.get(pk=payload["u"], is_active=True), _kind(payload["k"])
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError, ValueError):
        raise ValidationError(_("This unsubscribe link is not valid.")) from None


def unsubscribe(*, token: str) -> tuple[User, NotificationKind]:
    """Stop e-mail of one kind for the person the signed link names. Works without signing in."""
    user, kind = unsubscribe_target(token)
    if kind.transactional:
        raise ValidationError(_("These messages are about your own account and cannot be switched off."))
    current = channels_for(user, kind, user.notification_preferences.filter(kind=kind.name).first())
    set_notification_preferences(
        user=user, choices={kind.name: current - {Channel.EMAIL}}, source=ConsentRecord.Source.UNSUBSCRIBE
    )
    return user, kind


def mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, user: User) -> int:
    return Notification.objects.visible_to(user).unread().update(read_at=timezone.now())


# Permanent refusals: retrying cannot help.
PERMANENT_MAIL_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def send_email_delivery(*, delivery_id: int, last_try: bool) -> Delivery | None:
    """Send one notification e-mail, once.

    The row stays locked while the message goes out and is marked sent in the same transaction, so
    a worker killed mid-send leaves it for the redelivered task: nothing is lost and at most that
    one message goes out twice. The person's choice is read again here, so an unsubscribe while a
    message waited is honoured. A transient error is raised for the task to retry; a permanent one,
    or the last retry, marks the delivery failed.
    """
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("notification", "recipient")
            .filter(pk=delivery_id, status=Delivery.Status.PENDING, channel=Channel.EMAIL)
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        recipient, kind = delivery.recipient, NOTIFICATION_KINDS.get(delivery.notification.kind)
        preference = recipient.notification_preferences.filter(kind=delivery.notification.kind).first()
        if not recipient.is_active or kind is None or Channel.EMAIL not in channels_for(recipient, kind, preference):
            delivery.status = Delivery.Status.SKIPPED
        else:
            try:
                mail.notification_email(delivery).send()
            except Exception as error:
                if isinstance(error, OSError) and not isinstance(error, PERMANENT_MAIL_ERRORS) and not last_try:
                    raise
                delivery.status, delivery.last_error = Delivery.Status.FAILED, repr(error)[:500]
            else:
                delivery.status, delivery.sent_at = Delivery.Status.SENT, timezone.now()
        delivery.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return delivery
