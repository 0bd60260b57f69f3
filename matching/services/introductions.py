"""Double opt-in introductions: asking, answering, the shared thread, reminders and expiry; blocking,
reporting and dismissing recommendations."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.models import Role, User
from consortium.permissions import require
from consortium.services.notifications import notify

from .. import permissions
from ..models import (
    INTRODUCTION_EXPIRY_DAYS,
    INTRODUCTION_REMINDER_DAYS,
    MAX_PENDING_PER_SENDER,
    MESSAGE_MAX_LENGTH,
    Block,
    CooperationOffer,
    Dismissal,
    Introduction,
    IntroductionMessage,
    IntroductionStatus,
    MatchingProfile,
    Recommendation,
    UserReport,
    display_name,
    month_start,
)

# After a decline, the same person may not ask again for this long.
DECLINE_COOLDOWN_DAYS = 30


def _recompute_after_commit(*people: User) -> None:
    """A recomputation that was running while two people's rows were deleted may write them back;
    one more after commit leaves them out for good."""
    from ..tasks import recompute_recommendations

    for person in people:
        recompute_recommendations.delay_on_commit(person.pk)


def clean_message(body: str, field: str = "message") -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({field: _("Write a short message.")})
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {field: _("The message is too long: at most %(limit)d characters.") % {"limit": MESSAGE_MAX_LENGTH}}
        )
    return body


def is_blocked(blocker: User, blocked: User) -> bool:
    return Block.objects.filter(blocker=blocker, blocked=blocked).exists()


def blocked_either_way(one: User, other: User) -> bool:
    return Block.objects.filter(Q(blocker=one, blocked=other) | Q(blocker=other, blocked=one)).exists()


def _take_monthly_slot(recipient: User) -> None:
    """Count a request against the recipient's monthly availability, or refuse when it is used up.
    Locks the recipient's profile, so that two requests at once cannot both take the last slot."""
    profile = MatchingProfile.objects.select_for_update().filter(user=recipient).first()
    if profile is None:
        return  # an offer's owner without a profile has set no limit
    month = month_start()
    if profile.intros_month != month:
        profile.intros_month, profile.intros_received = month, 0
    if profile.intros_received >= profile.intros_per_month:
        raise ValidationError(
            _("%(name)s takes no more introductions this month. Try again next month.")
            % {"name": display_name(recipient)}
        )
    profile.intros_received += 1
    profile.save(update_fields=["intros_month", "intros_received", "updated_at"])


@transaction.atomic
def request_introduction(
    *, sender: User, message: str, profile: MatchingProfile | None = None, offer: CooperationOffer | None = None
) -> Introduction:
    """Ask the owner of a profile (or of a cooperation offer) for an introduction.

    Refused: a message empty or over 2,000 characters, oneself, someone who blocked the sender or
    whom the sender blocked, someone they may not find, a pair with a request already waiting or
    accepted, a request declined in the last 30 days, a sixth request waiting for an answer, a
    recipient at their monthly limit. Whether the profile or offer is within reach is checked before
    any block, so that a refusal names no one the sender may not find. Both people's rows are
    locked, in id order, while their requests are counted: two crossed requests wait for each other
    instead of deadlocking (FOR NO KEY UPDATE, which the new row's foreign keys do not conflict with).
    """
    require(permissions.can_use_matching(sender))
    if (profile is None) == (offer is None):
        raise ValidationError(_("Ask about one profile or one offer."))
    recipient = profile.user if profile is not None else offer.owner
    field = "profile" if profile is not None else "offer"
    message = clean_message(message)
    if recipient.pk == sender.pk:
        raise ValidationError({field: _("You cannot ask for an introduction to yourself.")})
    if profile is not None and not MatchingProfile.objects.reachable_by(sender).filter(pk=profile.pk).exists():
        raise ValidationError({field: _("There is no such profile you can ask.")})
    if offer is not None and not CooperationOffer.objects.reachable_by(sender).filter(pk=offer.pk).exists():
        raise ValidationError({field: _("This offer is closed or not open to you.")})
    name = display_name(recipient)
    if is_blocked(recipient, sender):
        raise ValidationError({field: _("%(name)s does not accept introductions from you.") % {"name": name}})
    if is_blocked(sender, recipient):
        raise ValidationError({field: _("You blocked %(name)s. Unblock them first.") % {"name": name}})
    list(
        User.objects.select_for_update(no_key=True)
        .filter(pk__in=sorted({sender.pk, recipient.pk}))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    between = Introduction.objects.filter(
        Q(sender=sender, recipient=recipient) | Q(sender=recipient, recipient=sender),
        status__in=(IntroductionStatus.PENDING, IntroductionStatus.ACCEPTED),
    )
    if between.filter(sender=recipient, status=IntroductionStatus.PENDING).exists():
        raise ValidationError(
            {
                field: _("%(name)s has already asked to be introduced to you: answer their request instead.")
                % {"name": name}
            },
            code="asked_the_other_way",
        )
    if between.exists():
        raise ValidationError(
            {field: _("You and %(name)s are already in touch or waiting for an answer.") % {"name": name}}
        )
    now = timezone.now()
    recently_declined = Introduction.objects.filter(
        sender=sender,
        recipient=recipient,
        status=IntroductionStatus.DECLINED,
        responded_at__gt=now - datetime.timedelta(days=DECLINE_COOLDOWN_DAYS),
    )
    if recently_declined.exists():
        raise ValidationError(
            {
                field: _("%(name)s declined your request less than %(days)d days ago. Please do not ask again so soon.")
                % {"name": name, "days": DECLINE_COOLDOWN_DAYS}
            },
            code="declined_recently",
        )
    if Introduction.objects.filter(sender=sender).pending().count() >= MAX_PENDING_PER_SENDER:
        raise ValidationError(
            _(
                "You already have %(max)d requests waiting for an answer. Wait for an answer, or withdraw "
                "one, before asking someone else."
            )
            % {"max": MAX_PENDING_PER_SENDER},
            code="too_many_pending",
        )
    _take_monthly_slot(recipient)
    try:
        with transaction.atomic():
            introduction = Introduction.objects.create(
                sender=sender,
                recipient=recipient,
                offer=offer,
                message=message,
                expires_at=now + datetime.timedelta(days=INTRODUCTION_EXPIRY_DAYS),
            )
    except IntegrityError:
        raise ValidationError({field: _("You have already asked %(name)s.") % {"name": name}}) from None
    Recommendation.objects.filter(
        Q(user=sender, profile__user=recipient) | Q(user=recipient, profile__user=sender)
    ).delete()
    _recompute_after_commit(sender, recipient)
    notify(
        [recipient],
        "matching.introduction_requested",
        context={"introduction": introduction, "sender": sender, "offer": offer},
        dedupe_key=f"introduction:{introduction.pk}",
        target=introduction,
    )
    return introduction


def _move(introduction: Introduction, status: str) -> bool:
    """Pending → status with a conditional UPDATE: of two answers at once only one counts."""
    now = timezone.now()
    moved = Introduction.objects.filter(pk=introduction.pk, status=IntroductionStatus.PENDING).update(
        status=status, responded_at=now, updated_at=now
    )
    if moved:
        introduction.status, introduction.responded_at = status, now
    return bool(moved)


def _answerable(introduction: Introduction, status: str) -> None:
    if not _move(introduction, status):
        introduction.refresh_from_db(fields=["status"])
        raise ValidationError(_("This request is no longer waiting for an answer."), code="not_pending")


@transaction.atomic
def accept_introduction(*, introduction: Introduction, by: User) -> Introduction:
    """The person asked says yes: both now see each other's e-mail and share a thread."""
    require(permissions.can_respond_to_introduction(by, introduction))
    _answerable(introduction, IntroductionStatus.ACCEPTED)
    notify(
        [introduction.sender],
        "matching.introduction_accepted",
        context={"introduction": introduction, "recipient": introduction.recipient},
        dedupe_key=f"introduction:{introduction.pk}:accepted",
        target=introduction,
    )
    return introduction


@transaction.atomic
def decline_introduction(*, introduction: Introduction, by: User) -> Introduction:
    require(permissions.can_respond_to_introduction(by, introduction))
    _answerable(introduction, IntroductionStatus.DECLINED)
    notify(
        [introduction.sender],
        "matching.introduction_declined",
        context={"introduction": introduction, "recipient": introduction.recipient},
        dedupe_key=f"introduction:{introduction.pk}:declined",
        target=introduction,
    )
    return introduction


@transaction.atomic
def withdraw_introduction(*, introduction: Introduction, by: User) -> Introduction:
    require(permissions.can_withdraw_introduction(by, introduction))
    _answerable(introduction, IntroductionStatus.WITHDRAWN)
    return introduction


@transaction.atomic
def post_introduction_message(*, introduction: Introduction, author: User, body: str) -> IntroductionMessage:
    require(permissions.can_post_introduction_message(author, introduction))
    body = clean_message(body, "body")
    other = introduction.other(author)
    name = display_name(other)
    if is_blocked(other, author):
        raise ValidationError({"body": _("%(name)s does not accept messages from you.") % {"name": name}})
    if is_blocked(author, other):
        raise ValidationError({"body": _("You blocked %(name)s. Unblock them first.") % {"name": name}})
    message = IntroductionMessage.objects.create(introduction=introduction, author=author, body=body)
    Introduction.objects.filter(pk=introduction.pk).update(updated_at=timezone.now())
    notify(
        [introduction.other(author)],
        "matching.message",
        context={"introduction": introduction, "author": author, "message": message},
        dedupe_key=f"introduction-message:{message.pk}",
        target=introduction,
    )
    return message


def remind_and_expire_introductions(now: datetime.datetime | None = None) -> dict:
    """Remind the person asked after 7 days; expire requests after 14 and tell the sender. Each
    reminder and expiry happens once, however often this runs (conditional UPDATEs)."""
    now = now or timezone.now()
    reminded = expired = 0
    due = Introduction.objects.pending().filter(
        reminded_at__isnull=True,
        created_at__lte=now - datetime.timedelta(days=INTRODUCTION_REMINDER_DAYS),
        expires_at__gt=now,
    )
    for introduction in due.select_related("sender", "recipient"):
        with transaction.atomic():
            if Introduction.objects.filter(pk=introduction.pk, reminded_at__isnull=True).update(reminded_at=now):
                reminded += 1
                notify(
                    [introduction.recipient],
                    "matching.introduction_reminder",
                    context={"introduction": introduction, "sender": introduction.sender},
                    dedupe_key=f"introduction:{introduction.pk}:reminder",
                    target=introduction,
                )
    for introduction in (
        Introduction.objects.pending().filter(expires_at__lte=now).select_related("sender", "recipient")
    ):
        with transaction.atomic():
            if _move(introduction, IntroductionStatus.EXPIRED):
                expired += 1
                notify(
                    [introduction.sender],
                    "matching.introduction_expired",
                    context={"introduction": introduction, "recipient": introduction.recipient},
                    dedupe_key=f"introduction:{introduction.pk}:expired",
                    target=introduction,
                )
    return {"reminded": reminded, "expired": expired}


# Moderation


@transaction.atomic
def block_user(*, blocker: User, blocked: User) -> Block:
    """Stop someone reaching you: their waiting requests to you are declined, yours to them withdrawn,
    and neither is recommended to the other again. Idempotent."""
    require(permissions.can_use_matching(blocker))
    if blocker.pk == blocked.pk:
        raise ValidationError(_("You cannot block yourself."))
    block, _created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    now = timezone.now()
    waiting = Introduction.objects.pending()
    waiting.filter(sender=blocked, recipient=blocker).update(
        status=IntroductionStatus.DECLINED, responded_at=now, updated_at=now
    )
    waiting.filter(sender=blocker, recipient=blocked).update(
        status=IntroductionStatus.WITHDRAWN, responded_at=now, updated_at=now
    )
    Recommendation.objects.filter(
        Q(user=blocker, profile__user=blocked)
        | Q(user=blocked, profile__user=blocker)
        | Q(user=blocker, offer__owner=blocked)
        | Q(user=blocked, offer__owner=blocker)
    ).delete()
    _recompute_after_commit(blocker, blocked)
    return block


@transaction.atomic
def unblock_user(*, blocker: User, blocked: User) -> None:
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()


@transaction.atomic
def report_user(*, reporter: User, reported: User, reason: str, block: bool = True) -> UserReport:
    """Report someone to the consortium admins, blocking them too unless asked not to."""
    require(permissions.can_use_matching(reporter))
    if reporter.pk == reported.pk:
        raise ValidationError(_("You cannot report yourself."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what happened, so that the consortium's admins can act.")})
    if len(reason) > 2000:
        raise ValidationError({"reason": _("Keep it under %(max)d characters.") % {"max": 2000}})
    report = UserReport.objects.create(reporter=reporter, reported=reported, reason=reason)
    if block:
        block_user(blocker=reporter, blocked=reported)
    admins = User.objects.with_role(Role.CONSORTIUM_ADMIN).filter(is_active=True).distinct()
    notify(
        admins,
        "matching.user_reported",
        context={"report": report, "url": reverse("matching:reports")},
        dedupe_key=f"user-report:{report.pk}",
        target=report,
    )
    return report


@transaction.atomic
def mark_report_handled(*, report: UserReport, by: User) -> UserReport:
    require(permissions.can_handle_reports(by))
    UserReport.objects.filter(pk=report.pk, handled_at__isnull=True).update(handled_at=timezone.now())
    report.refresh_from_db(fields=["handled_at"])
    return report


@transaction.atomic
def dismiss_recommendation(
    *, user: User, profile: MatchingProfile | None = None, offer: CooperationOffer | None = None
) -> Dismissal:
    """Never recommend this person or offer to the user again. Idempotent."""
    require(permissions.can_use_matching(user))
    if (profile is None) == (offer is None):
        raise ValidationError(_("Dismiss one profile or one offer."))
    dismissal, _created = Dismissal.objects.get_or_create(user=user, profile=profile, offer=offer)
    Recommendation.objects.filter(user=user, profile=profile, offer=offer).delete()
    return dismissal
