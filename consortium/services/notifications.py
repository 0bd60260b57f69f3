"""notify() and each person's say over it: channels per kind, consent, unsubscribe, read state."""

from collections.abc import Iterable

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

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
    # Career services may not e-mail students who have not agreed to it.
    student_only = Role.STUDENT in user.roles and not (user.roles & STAFF_ROLES)
    return {Channel.IN_APP} | ({Channel.EMAIL} if kind.email_by_default and not student_only else set())


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
        for channel in channels & {Channel.EMAIL, Channel.DIGEST}:
            delivery, fresh = Delivery.objects.get_or_create(
                recipient=recipient,
                channel=channel,
                dedupe_key=f"{kind}:{dedupe_key}",
                defaults={"notification": notification},
            )
            if fresh and channel == Channel.EMAIL:
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
    """Save the channels for optional kinds and record every consent given or withdrawn."""
    saved = {p.kind: p for p in user.notification_preferences.select_for_update()}
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
        return User.objects.get(pk=payload["u"]), _kind(payload["k"])
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
