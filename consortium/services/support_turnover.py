"""Support requests follow the people who answer them: when a liaison officer is replaced, or
someone leaves or stops working the desk, their open requests move on; a new liaison officer
takes the requests nobody holds; an institution that stops being a member hands its requests to the
shared queue. Each move writes a line in the thread, so that nothing waits on a person who can no
longer answer."""

from django.conf import settings
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from ..models import ACTIVE_SUPPORT_STATUSES, SupportMessage, SupportRequest, SupportStatus, User
from .notifications import notify

# Requests a person still holds: waiting for them, or answered and waiting for the requester.
HELD_STATUSES = (*ACTIVE_SUPPORT_STATUSES, SupportStatus.ANSWERED)


def hand_over_support_requests(*, previous: User, successor: User | None, reason: Promise, dedupe_key: str) -> int:
    """Move the requests `previous` holds to `successor`, or back to their institution's desk
    (unassigned, a claimed one open again) when there is no successor or the successor does not
    work for a request's target institution. Writes an event line in each thread and notifies
    each of the two people once. Returns how many requests moved.

    `reason` is a lazy translation, so that each reader gets it in their own language.
    Call it inside the transaction that changes the people: it locks the requests it moves, so a
    claim or answer at the same moment waits for it. Running it again moves nothing.
    """
    held = list(
        SupportRequest.objects.select_for_update(of=("self",))
        .filter(assignee=previous, status__in=HELD_STATUSES)
        .order_by("pk")
    )
    if not held:
        return 0
    # Never to someone outside a request's target institution.
    to_successor = [r.pk for r in held if successor is not None and r.target_institution_id == successor.institution_id]
    to_desk = [r.pk for r in held if r.pk not in to_successor]
    now = timezone.now()
    SupportRequest.objects.filter(pk__in=to_successor).update(assignee=successor, updated_at=now)
    # A claim lapses with its claimer; an answered request keeps its history and waits for the requester.
    was_claimed = Q(status=SupportStatus.CLAIMED)
    SupportRequest.objects.filter(pk__in=to_desk).update(
        assignee=None,
        status=Case(When(was_claimed, then=Value(SupportStatus.OPEN)), default=F("status")),
        claimed_at=Case(When(was_claimed, then=Value(None)), default=F("claimed_at")),
        updated_at=now,
    )
    # Both institutions read the thread: its lines are in the consortium's working language.
    with translation.override(settings.LANGUAGE_CODE):
        names = {
            "previous": previous.full_name,
            "successor": successor.full_name if successor else "",
            "reason": reason,
        }
        handed = _("%(previous)s handed this request over to %(successor)s: %(reason)s.") % names
        returned = (
            _("%(previous)s no longer handles this request (%(reason)s); it waits for someone to claim it.") % names
        )
    SupportMessage.objects.bulk_create(
        SupportMessage(request=r, kind=SupportMessage.Kind.EVENT, body=handed if r.pk in to_successor else returned)
        for r in held
    )
    context = {"previous": previous, "reason": reason}
    if to_successor:
        notify(
            [successor],
            "support.handover",
            context={**context, "successor": successor, "count": len(to_successor)},
            dedupe_key=f"{dedupe_key}:to",
            target=next(r for r in held if r.pk == to_successor[0]) if len(to_successor) == 1 else None,
        )
    notify(
        [previous],
        "support.handover",
        context={**context, "successor": successor if to_successor else None, "count": len(held)},
        dedupe_key=f"{dedupe_key}:from",
    )
    return len(held)


def release_support_requests(*, person: User, reason: Promise, dedupe_key: str) -> int:
    """Hand a departing person's requests to their institution's current liaison officer, or
    back to the institution's desk when there is none (or they were the liaison themselves).
    The caller holds the institution's lock, so the liaison cannot change meanwhile."""
    nomination = person.institution.current_liaison if person.institution_id else None
    successor = nomination.officer if nomination and nomination.officer_id != person.pk else None
    if successor is not None and not successor.is_active:
        successor = None
    return hand_over_support_requests(previous=person, successor=successor, reason=reason, dedupe_key=dedupe_key)


def assign_waiting_support_requests(*, institution, officer: User, dedupe_key: str) -> int:
    """Give a newly nominated liaison officer the institution's requests that wait for someone:
    addressed to it, still to be acted on, and held by nobody. Each thread says so and the officer
    hears of each request. Call it inside the nomination's transaction; running it again finds
    nothing left to give. Returns how many requests it assigned."""
    waiting = list(
        SupportRequest.objects.select_for_update(of=("self",))
        .filter(target_institution=institution, assignee__isnull=True, status__in=ACTIVE_SUPPORT_STATUSES)
        .select_related("requesting_institution", "target_institution")
        .order_by("pk")
    )
    if not waiting:
        return 0
    SupportRequest.objects.filter(pk__in=[r.pk for r in waiting]).update(assignee=officer, updated_at=timezone.now())
    with translation.override(settings.LANGUAGE_CODE):
        body = _("Sent to %(name)s, the new liaison officer of %(institution)s.") % {
            "name": officer.full_name,
            "institution": institution.name,
        }
    SupportMessage.objects.bulk_create(
        SupportMessage(request=r, kind=SupportMessage.Kind.EVENT, body=body) for r in waiting
    )
    for request in waiting:
        request.assignee = officer
        notify(
            [officer],
            "support.received",
            context={"request": request, "by": None},
            dedupe_key=f"{dedupe_key}:waiting:{request.pk}",
            target=request,
        )
    return len(waiting)


def release_to_shared_queue(*, institution) -> int:
    """An institution that stops being a member answers nothing more: its requests still to be
    acted on leave it for the consortium-wide queue, where any liaison officer can take them.
    The target institution is cleared, as for every request in the queue, because the shared queue
    is the requests that no member owes (is_support_target_staff reads it so); the thread's event
    line keeps the name. Answered requests stay: they wait for the requester, not for the member.
    Running it again finds nothing left. Returns how many requests moved."""
    moving = list(
        SupportRequest.objects.select_for_update(of=("self",))
        .filter(target_institution=institution, status__in=ACTIVE_SUPPORT_STATUSES)
        .order_by("pk")
    )
    if not moving:
        return 0
    was_claimed = Q(status=SupportStatus.CLAIMED)
    SupportRequest.objects.filter(pk__in=[r.pk for r in moving]).update(
        target_institution=None,
        in_shared_queue=True,
        assignee=None,
        status=Case(When(was_claimed, then=Value(SupportStatus.OPEN)), default=F("status")),
        claimed_at=Case(When(was_claimed, then=Value(None)), default=F("claimed_at")),
        updated_at=timezone.now(),
    )
    with translation.override(settings.LANGUAGE_CODE):
        body = _(
            "%(institution)s is no longer a member: the request waits in the shared queue for any liaison officer."
        ) % {"institution": institution.name}
    SupportMessage.objects.bulk_create(
        SupportMessage(request=r, kind=SupportMessage.Kind.EVENT, body=body) for r in moving
    )
    return len(moving)
