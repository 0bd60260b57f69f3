"""The core's privacy providers: what it holds about a person, to export it and to erase it."""

import operator
import re
from functools import reduce

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.db.models import Q

from .models import (
    ApiKey,
    AuditLog,
    CompanyRelationship,
    ConsentRecord,
    Delivery,
    Invitation,
    LiaisonNomination,
    Notification,
    NotificationPreference,
    UserLanguage,
    WebhookDelivery,
    WebhookEndpoint,
)


def export_account(user) -> dict:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "institution": user.institution.name if user.institution_id else None,
        "company": user.company.name if user.company_id else None,
        "roles": sorted(user.roles),
        "preferred_language": user.preferred_language,
        "time_zone": user.time_zone,
        "home_country": user.home_country.code or None,
        "languages": list(UserLanguage.objects.filter(user=user).values("language", "level")),
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "email_addresses": list(EmailAddress.objects.filter(user=user).values("email", "verified", "primary")),
        "single_sign_on": list(SocialAccount.objects.filter(user=user).values("provider", "uid", "date_joined")),
        "two_factor_methods": list(Authenticator.objects.filter(user=user).values("type", "created_at")),
        "sessions": list(
            UserSession.objects.filter(user=user).values("ip", "user_agent", "created_at", "last_seen_at")
        ),
    }


def erase_account(user) -> None:
    for session in UserSession.objects.filter(user=user):
        session.end()
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    UserLanguage.objects.filter(user=user).delete()


def export_notifications(user) -> dict:
    return {
        "notifications": list(
            Notification.objects.filter(recipient=user).values("kind", "title", "body", "url", "created_at", "read_at")
        ),
        "preferences": list(
            NotificationPreference.objects.filter(user=user).values("kind", "in_app", "email", "digest", "updated_at")
        ),
        "consents": list(
            ConsentRecord.objects.filter(user=user).values("kind", "channel", "granted", "source", "created_at")
        ),
        "emails_sent": list(
            Delivery.objects.filter(recipient=user).values("channel", "dedupe_key", "status", "sent_at")
        ),
    }


def erase_notifications(user) -> None:
    Notification.objects.filter(recipient=user).delete()  # deliveries go with them
    NotificationPreference.objects.filter(user=user).delete()
    ConsentRecord.objects.filter(user=user).delete()
    # Other people's notifications may name the person ("Zelda Q replaced you as liaison officer").
    needles, anonymous = _needles(user), _anonymous(user)
    for notification in Notification.objects.filter(_mentions(needles, "title") | _mentions(needles, "body")):
        notification.title = _replace(notification.title, needles, anonymous)
        notification.body = _replace(notification.body, needles, anonymous)
        notification.save(update_fields=["title", "body"])


def export_staff_work(user) -> dict:
    return {
        "liaison_nominations": list(
            LiaisonNomination.objects.filter(officer=user).values("institution__name", "starts_at", "ends_at")
        ),
        "company_relationships_owned": list(
            CompanyRelationship.objects.filter(owner=user).values("institution__name", "company__name", "since")
        ),
        "invitations_received": list(
            Invitation.objects.filter(email__iexact=user.email).values("institution__name", "created_at", "accepted_at")
        ),
        "api_keys_created": list(ApiKey.objects.filter(created_by=user).values("name", "prefix", "created_at")),
        "webhooks_created": list(WebhookEndpoint.objects.filter(created_by=user).values("url", "created_at")),
        # What was done, not to whom: the targets are other people's data.
        "actions_in_audit_log": list(
            AuditLog.objects.filter(actor=user).values("action", "target_type", "institution__name", "created_at")
        ),
    }


def erase_staff_work(user) -> None:
    """Keep the history others rely on (nominations, relationships, the audit log, events already
    sent) without the person in it."""
    needles, anonymous = _needles(user), _anonymous(user)
    Invitation.objects.filter(email__iexact=user.email).update(email=f"erased-{user.pk}@erased.invalid", full_name="")
    AuditLog.objects.filter(actor=user).update(actor_repr=anonymous)
    entries = AuditLog.objects.filter(
        _mentions(needles, "target_repr") | _mentions(needles, "actor_repr") | _mentions(needles, "details")
    )
    for entry in entries:
        entry.target_repr = _replace(entry.target_repr, needles, anonymous)
        entry.actor_repr = _replace(entry.actor_repr, needles, anonymous)
        entry.details = _scrub(entry.details, needles, anonymous)
        entry.save(update_fields=["target_repr", "actor_repr", "details"])
    for delivery in WebhookDelivery.objects.filter(_mentions(needles, "payload")):
        delivery.payload = _scrub(delivery.payload, needles, anonymous)
        delivery.save(update_fields=["payload"])


def _anonymous(user) -> str:
    return f"former member #{user.pk}"


def _needles(user) -> list[str]:
    return [text for text in (user.email, user.full_name.strip()) if text]


def _mentions(needles: list[str], field: str) -> Q:
    return reduce(operator.or_, (Q(**{f"{field}__icontains": needle}) for needle in needles))


def _replace(text: str, needles: list[str], replacement: str) -> str:
    for needle in needles:
        text = re.sub(re.escape(needle), replacement, text, flags=re.IGNORECASE)
    return text


def _scrub(value, needles: list[str], replacement: str):
    if isinstance(value, dict):
        return {key: _scrub(item, needles, replacement) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, needles, replacement) for item in value]
    if isinstance(value, str):
        return _replace(value, needles, replacement)
    return value


def export_seats(user) -> dict:
    from .models import Seat

    return {
        "seats": list(
            Seat.objects.filter(holder=user).values(
                "plan__kind", "institution__name", "status", "queued_at", "offered_at", "confirmed_at", "released_at"
            )
        )
    }


def erase_seats(user) -> None:
    """Give up every seat and place in line, so that the next people get them; the rows stay, as
    the event's history, tied to the anonymised account."""
    from .models import Seat
    from .services.seats import release_seat

    for seat in Seat.objects.live().filter(holder=user):
        release_seat(seat=seat)


def export_surveys(user) -> dict:
    """Named answers are the person's; anonymous ones are tied to nobody and cannot be found."""
    from .models import SurveyAnswer, SurveyParticipant

    return {
        "surveys_asked": list(
            SurveyParticipant.objects.filter(user=user).values("survey__title", "responded_at", "reminded_at")
        ),
        "named_answers": list(
            SurveyAnswer.objects.filter(response__respondent=user).values(
                "response__survey__title", "question__text", "number", "text"
            )
        ),
    }


def erase_surveys(user) -> None:
    """Named responses lose their author and stay in the results; free texts that name the person
    are scrubbed."""
    from .models import SurveyAnswer, SurveyResponse

    SurveyResponse.objects.filter(respondent=user).update(respondent=None)
    needles, anonymous = _needles(user), _anonymous(user)
    for answer in SurveyAnswer.objects.filter(_mentions(needles, "text")):
        answer.text = _replace(answer.text, needles, anonymous)
        answer.save(update_fields=["text"])
