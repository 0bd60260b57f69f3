"""The support desk's workflow: a career officer asks a partner, the partner's liaison officer claims
and answers, the requester resolves (with a rating) or reopens; answered requests nobody reacts to
close themselves.

Routing: a request for an institution goes to its active liaison officer; one for a country only, to
the least loaded liaison officer among the members in that country; where the consortium has no
member, to the shared queue every liaison officer sees. Nobody outside the target institution is
ever assigned.
"""

import datetime
from collections.abc import Iterable
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_countries import countries
from django_countries.fields import Country

from .. import permissions
from ..models import (
    ACTIVE_SUPPORT_STATUSES,
    ISO_LANGUAGES,
    CefrLevel,
    DegreeLevel,
    FieldOfStudy,
    Institution,
    LiaisonNomination,
    Role,
    SupportAttachment,
    SupportCategory,
    SupportMessage,
    SupportRequest,
    SupportStatus,
    User,
)
from ..permissions import SUPPORT_ROLES, require
from ..uploads import MB, FileKind, check_upload
from .notifications import notify
from .support_sla import first_response_due
from .webhooks import emit_event

ATTACHMENT_KINDS = frozenset({FileKind.PDF, FileKind.DOCX, FileKind.ODT})
ATTACHMENT_MAX_BYTES = 10 * MB
MAX_ATTACHMENTS = 5
TEXT_LIMITS = {"subject": 200, "question": 10_000, "target_role": 200, "timeframe": 100}
MESSAGE_MAX_LENGTH = 10_000
COMMENT_MAX_LENGTH = 2_000
# Statuses from which the requester may ask again.
REOPENABLE_STATUSES = (SupportStatus.ANSWERED, SupportStatus.RESOLVED, SupportStatus.CLOSED)
# Statuses in which the requester has an answer in front of them to rate: a request handed back to
# the partner (a reply, a reopening) waits for the next answer first.
RESOLVABLE_STATUSES = (SupportStatus.ANSWERED, SupportStatus.CLOSED)
# A claim that does not say whom the claimer saw holding the request (the API, scripts).
UNCHECKED = object()


# Checks


def _clean_text(values: dict[str, str], errors: dict, required: Iterable[str], messages: dict[str, str]) -> dict:
    cleaned = {}
    for name, value in values.items():
        value = (value or "").strip()
        if not value and name in required:
            errors[name] = messages[name]
        elif len(value) > TEXT_LIMITS[name]:
            errors[name] = _("At most %(limit)d characters.") % {"limit": TEXT_LIMITS[name]}
        cleaned[name] = value
    return cleaned


def _clean_languages(languages, errors: dict) -> list[list[str]]:
    codes, pairs = dict(ISO_LANGUAGES), []
    for code, level in languages or ():
        if code not in codes or level not in CefrLevel.values:
            errors["languages"] = _("Give each language (ISO 639-1) with a CEFR level from A1 to C2.")
            return []
        pairs.append([code, level])
    if len({code for code, _level in pairs}) != len(pairs):
        errors["languages"] = _("Each language can be listed once.")
    return pairs


def _check_attachments(files, errors: dict) -> list[tuple[object, FileKind]]:
    """Each file's kind as its content shows it, which its name must say too (a partner opens a
    .pdf with a PDF reader); refusals are gathered under `attachments`."""
    files = [file for file in files or () if file]
    if len(files) > MAX_ATTACHMENTS:
        errors["attachments"] = _("Attach at most %(limit)d files.") % {"limit": MAX_ATTACHMENTS}
        return []
    checked, problems = [], []
    for file in files:
        name = PurePath(file.name).name
        try:
            kind = check_upload(file, kinds=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES)
        except ValidationError as error:
            problems += [f"{name}: {message}" for message in error.messages]
            continue
        if PurePath(name).suffix.lower() != f".{kind}":
            problems.append(
                f"{name}: "
                + _("The content is %(kind)s, but the name does not end in .%(extension)s.")
                % {"kind": kind.label, "extension": kind.value}
            )
            continue
        checked.append((file, kind))
    if problems:
        errors["attachments"] = problems
    return checked


def _store_attachments(request, checked, *, by: User, message=None, stored: list) -> None:
    for file, kind in checked:
        attachment = SupportAttachment(
            request=request,
            message=message,
            uploaded_by=by,
            name=PurePath(file.name).name[:200] or f"attachment.{kind}",
            kind=kind.value,
            size=file.size,
        )
        attachment.file.save(attachment.name, file, save=False)
        stored.append(attachment.file)
        attachment.save()


def _discard(stored: list) -> None:
    """Files written before a refusal: the rolled-back rows must not leave them behind."""
    for file in stored:
        file.delete(save=False)


# Routing and assignment


def _lock(request: SupportRequest) -> SupportRequest:
    """Lock the row and read it again, so that two actions at once see each other's result."""
    SupportRequest.objects.select_for_update().filter(pk=request.pk).exists()
    request.refresh_from_db()
    return request


def _liaisons(institutions) -> dict[int, User]:
    """The active liaison officer of each institution who still works its desk."""
    nominations = (
        LiaisonNomination.objects.active()
        .filter(
            institution__in=institutions,
            officer__is_active=True,
            officer__institution_id=F("institution_id"),
            officer__role_assignments__role=Role.CAREER_OFFICER,
        )
        .select_related("officer")
    )
    return {nomination.institution_id: nomination.officer for nomination in nominations}


def _route(request: SupportRequest) -> None:
    if request.target_institution is not None:
        request.assignee = _liaisons([request.target_institution]).get(request.target_institution.pk)
        return
    members = list(
        Institution.objects.active()
        .filter(country=request.target_country)
        .exclude(pk=request.requesting_institution_id)
        .order_by("pk")
    )
    if not members:
        request.in_shared_queue = True
        return
    liaisons = _liaisons(members)
    load = dict(
        SupportRequest.objects.active()
        .filter(assignee__in=[officer.pk for officer in liaisons.values()])
        .order_by()
        .values("assignee")
        .annotate(count=Count("pk"))
        .values_list("assignee", "count")
    )
    # A member with a liaison officer first, the one with the fewest open requests among them.
    chosen = min(
        members,
        key=lambda m: (m.pk not in liaisons, load.get(liaisons[m.pk].pk, 0) if m.pk in liaisons else 0, m.pk),
    )
    request.target_institution = chosen
    request.assignee = liaisons.get(chosen.pk)


def _may_hold(user: User | None, institution: Institution | None) -> bool:
    return (
        user is not None
        and institution is not None
        and User.objects.holding(institution, *SUPPORT_ROLES).filter(pk=user.pk).exists()
    )


def _assign(request: SupportRequest, user: User | None) -> None:
    """The one place that sets an assignee: only someone of the target institution's desk."""
    if user is not None and not _may_hold(user, request.target_institution):
        raise ValidationError(
            {"assignee": _("%(name)s does not work for the institution this request is addressed to.") % {"name": user}}
        )
    request.assignee = user


def _target_side(request: SupportRequest) -> list[User]:
    return [request.assignee] if request.assignee else list(request.desk_staff())


def _event(request: SupportRequest, by: User | None, text: str, **params) -> SupportMessage:
    """A line the platform writes in the thread (`text` marked with gettext_noop). Both institutions
    read it, so it is written in the consortium's working language, not in that of whoever caused it."""
    with translation.override(settings.LANGUAGE_CODE):
        params = {name: value.name if isinstance(value, Country) else value for name, value in params.items()}
        body = _(text) % params
    return SupportMessage.objects.create(request=request, author=by, kind=SupportMessage.Kind.EVENT, body=body)


def _notify(recipients, kind: str, request: SupportRequest, *, key: str, by: User | None = None, **context) -> None:
    people = {person.pk: person for person in recipients if person is not None and person != by}
    if people:
        notify(
            people.values(),
            kind,
            context={"request": request, "by": by, **context},
            dedupe_key=key,
            target=request,
        )


# Use cases


@transaction.atomic
def open_support_request(
    *,
    requester: User,
    target_country: str,
    target_institution: Institution | None = None,
    category: str,
    subject: str,
    question: str,
    field_of_study: str = "",
    degree_level: str = "",
    languages=(),
    target_role: str = "",
    timeframe: str = "",
    attachments=(),
) -> SupportRequest:
    """Open a request from the requester's institution, route it and tell whom it concerns. The
    first response is due within the configured working days of the target institution's country."""
    require(permissions.can_open_support_request(requester))
    errors = {}
    country = str(target_country or "").strip().upper()
    if country not in countries:
        errors["target_country"] = _("Choose a country from the list.")
    if target_institution is not None:
        if not target_institution.is_active:
            errors["target_institution"] = _("%(institution)s is no longer a member.") % {
                "institution": target_institution
            }
        elif target_institution.pk == requester.institution_id:
            errors["target_institution"] = _("Choose a partner institution, not your own.")
        elif country in countries and target_institution.country.code != country:
            errors["target_institution"] = _(
                "%(institution)s is in %(its_country)s, not in %(country)s. Choose an institution in the "
                "country you ask about, or leave this empty."
            ) % {
                "institution": target_institution,
                "its_country": target_institution.country.name,
                "country": countries.name(country),
            }
    if category not in SupportCategory.values:
        errors["category"] = _("Choose a category from the list.")
    if field_of_study and field_of_study not in FieldOfStudy.values:
        errors["field_of_study"] = _("Choose a field of study from the list.")
    if degree_level and degree_level not in DegreeLevel.values:
        errors["degree_level"] = _("Choose a degree level from the list.")
    text = _clean_text(
        {"subject": subject, "question": question, "target_role": target_role, "timeframe": timeframe},
        errors,
        required=("subject", "question"),
        messages={"subject": _("Give your request a subject."), "question": _("Write your question.")},
    )
    languages = _clean_languages(languages, errors)
    checked = _check_attachments(attachments, errors)
    if errors:
        raise ValidationError(errors)

    request = SupportRequest(
        requester=requester,
        requesting_institution_id=requester.institution_id,
        target_country=country,
        target_institution=target_institution,
        category=category,
        field_of_study=field_of_study,
        degree_level=degree_level,
        languages=languages,
        **text,
    )
    _route(request)
    now = timezone.now()
    deadline_country = request.target_institution.country.code if request.target_institution else country
    request.first_response_due_at = first_response_due(country=deadline_country, opened_at=now)
    request.save()
    stored = []
    try:
        _store_attachments(request, checked, by=requester, stored=stored)
        _announce(request)
    except BaseException:
        _discard(stored)
        raise
    return request


def _announce(request: SupportRequest) -> None:
    if request.in_shared_queue:
        _event(
            request,
            None,
            gettext_noop("No other member institution in %(country)s: the request waits in the shared queue."),
            country=request.target_country,
        )
        liaisons = list(request.desk_staff())
        _notify(liaisons, "support.shared_queue", request, key=f"support-queued:{request.pk}")
        # Admins are told so that the consortium sees the gap, but they do not work the queue and the
        # request is not theirs to open: no link.
        admins = User.objects.with_role(Role.CONSORTIUM_ADMIN).filter(is_active=True)
        admins = admins.exclude(pk__in=[person.pk for person in liaisons])
        _notify(admins, "support.shared_queue", request, key=f"support-queued:{request.pk}", url="")
        return
    if request.assignee:
        _event(
            request,
            None,
            gettext_noop("Sent to %(name)s, liaison officer of %(institution)s."),
            name=request.assignee,
            institution=request.target_institution,
        )
    else:
        _event(
            request,
            None,
            gettext_noop("Sent to %(institution)s, which has no liaison officer at the moment."),
            institution=request.target_institution,
        )
    _notify(_target_side(request), "support.received", request, key=f"support-received:{request.pk}")


@transaction.atomic
def claim_support_request(
    *, request: SupportRequest, by: User, expected_assignee_id: int | None | object = UNCHECKED
) -> SupportRequest:
    """Take an open request (or one a colleague holds) as one's own. A request from the shared queue
    becomes the claimer's institution's. Claiming what one already holds changes nothing.

    Locks the request. `expected_assignee_id` is whom the claimer saw holding it (None: nobody):
    when someone else has taken it since, the claim is refused naming them, so that two officers
    claiming at once do not silently take it from each other."""
    _lock(request)
    require(permissions.can_claim_support_request(by, request))
    if request.status not in ACTIVE_SUPPORT_STATUSES:
        raise ValidationError(
            _("This request is %(status)s: there is nothing to claim.") % {"status": request.get_status_display()}
        )
    if request.assignee_id == by.pk and request.status == SupportStatus.CLAIMED:
        return request
    if expected_assignee_id is not UNCHECKED and request.assignee_id not in (expected_assignee_id, None, by.pk):
        raise ValidationError(
            _("%(name)s took this request in the meantime. Take it over from them only if you agreed on it.")
            % {"name": request.assignee}
        )
    previous = request.assignee
    if request.target_institution_id is None:
        request.target_institution, request.in_shared_queue = by.institution, False
    _assign(request, by)
    request.status, request.claimed_at = SupportStatus.CLAIMED, timezone.now()
    request.save()
    event = _event(
        request,
        by,
        gettext_noop("%(name)s of %(institution)s took the request."),
        name=by,
        institution=request.target_institution,
    )
    _notify([request.requester, previous], "support.claimed", request, key=f"support-event:{event.pk}", by=by)
    return request


@transaction.atomic
def post_support_message(
    *, request: SupportRequest, author: User, body: str, internal: bool = False, attachments=()
) -> SupportMessage:
    """Add to the thread. A message from the target side is an answer: the first sets the first
    response, and each marks the request answered. A note is for the target side only. A reply
    from the requesting side to an answer hands the request back to the target side.

    Locks the request first and judges the author on the row as it is then (a shared-queue request
    may have become another institution's since the page was loaded)."""
    _lock(request)
    require(permissions.can_view_support_request(author, request))
    answering = permissions.can_answer_support_request(author, request)
    if internal:
        require(answering)
    errors = {}
    body = (body or "").strip()
    if not body:
        errors["body"] = _("Write a message.") if not internal else _("Write the note.")
    elif len(body) > MESSAGE_MAX_LENGTH:
        errors["body"] = _("At most %(limit)d characters.") % {"limit": MESSAGE_MAX_LENGTH}
    checked = _check_attachments(attachments, errors)
    if errors:
        raise ValidationError(errors)
    if not internal and request.status in (SupportStatus.RESOLVED, SupportStatus.CLOSED):
        raise ValidationError(_("This request is closed. Reopen it to write again."))

    kind = SupportMessage.Kind.NOTE if internal else SupportMessage.Kind.MESSAGE
    message = SupportMessage.objects.create(request=request, author=author, kind=kind, body=body)
    stored = []
    try:
        _store_attachments(request, checked, by=author, message=message, stored=stored)
        if internal:
            _notify(
                [request.assignee],
                "support.message",
                request,
                key=f"support-message:{message.pk}",
                by=author,
                message=message,
            )
        elif answering:
            _answer(request, message, author)
        else:
            if request.status == SupportStatus.ANSWERED:
                request.status = SupportStatus.CLAIMED if request.assignee_id else SupportStatus.OPEN
                request.save()
            _notify(
                _target_side(request),
                "support.message",
                request,
                key=f"support-message:{message.pk}",
                by=author,
                message=message,
            )
    except BaseException:
        _discard(stored)
        raise
    return message


def _answer(request: SupportRequest, message: SupportMessage, by: User) -> None:
    now = timezone.now()
    if request.target_institution_id is None:
        request.target_institution, request.in_shared_queue = by.institution, False
    if request.assignee_id is None:
        _assign(request, by)
        request.claimed_at = request.claimed_at or now
    request.first_response_at = request.first_response_at or now
    request.status, request.answered_at = SupportStatus.ANSWERED, now
    request.save()
    _notify(
        [request.requester],
        "support.message",
        request,
        key=f"support-message:{message.pk}",
        by=by,
        message=message,
        answer=True,
    )
    emit_event(
        "support_request.answered",
        institutions=Institution.objects.filter(pk=request.requesting_institution_id),
        data={
            "id": request.pk,
            "subject": request.subject,
            "status": request.status,
            "target_country": request.target_country.code,
            "target_institution": request.target_institution.slug,
            "first_response_at": request.first_response_at,
            "answered_at": request.answered_at,
            "url": request.get_absolute_url(),
        },
    )


@transaction.atomic
def resolve_support_request(
    *, request: SupportRequest, by: User, rating, comment: str = "", publication_consent: bool = False
) -> SupportRequest:
    """The requesting side closes an answered (or automatically closed) request with a rating from
    1 to 5. Locks the request."""
    _lock(request)
    require(permissions.can_resolve_support_request(by, request))
    if request.status == SupportStatus.RESOLVED:
        raise ValidationError(_("This request is already resolved."))
    if request.first_response_at is None:
        raise ValidationError(_("There is no answer to rate yet."))
    if request.status not in RESOLVABLE_STATUSES:
        raise ValidationError(
            _("This request is %(status)s: the partner has not answered it again yet.")
            % {"status": request.get_status_display()}
        )
    errors = {}
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = None
    if rating not in range(1, 6):
        errors["rating"] = _("Rate the answer from 1 to 5.")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        errors["comment"] = _("At most %(limit)d characters.") % {"limit": COMMENT_MAX_LENGTH}
    if errors:
        raise ValidationError(errors)
    request.status, request.resolved_at, request.closed_at = SupportStatus.RESOLVED, timezone.now(), None
    request.rating, request.rating_comment = rating, comment
    request.publication_consent = bool(publication_consent)
    request.save()
    event = _event(request, by, gettext_noop("%(name)s resolved the request."), name=by)
    _notify([request.assignee], "support.resolved", request, key=f"support-event:{event.pk}", by=by)
    return request


@transaction.atomic
def reopen_support_request(*, request: SupportRequest, by: User, reason: str) -> SupportRequest:
    """The requesting side asks again, saying what is missing; the request goes back to the person
    who had it, or to the target institution's liaison officer if they no longer work its desk.
    The publication consent stays as it was: an article already published from the request keeps
    its basis, and the consent is given again or withdrawn when the request is resolved. Locks the
    request."""
    _lock(request)
    require(permissions.can_reopen_support_request(by, request))
    if request.status not in REOPENABLE_STATUSES:
        raise ValidationError(_("Only an answered, resolved or closed request can be reopened."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what is still missing.")})
    if len(reason) > MESSAGE_MAX_LENGTH:
        raise ValidationError({"reason": _("At most %(limit)d characters.") % {"limit": MESSAGE_MAX_LENGTH}})
    if request.target_institution_id and not _may_hold(request.assignee, request.target_institution):
        _assign(request, _liaisons([request.target_institution]).get(request.target_institution_id))
    request.status = SupportStatus.REOPENED
    request.resolved_at = request.closed_at = request.rating = None
    request.rating_comment = ""
    request.save()
    SupportMessage.objects.create(request=request, author=by, kind=SupportMessage.Kind.MESSAGE, body=reason)
    event = _event(request, by, gettext_noop("%(name)s reopened the request."), name=by)
    _notify(_target_side(request), "support.reopened", request, key=f"support-event:{event.pk}", by=by, reason=reason)
    return request


def close_stale_support_requests(now: datetime.datetime | None = None) -> int:
    """Close the answered requests nobody reacted to within SUPPORT_AUTO_CLOSE_DAYS of the last
    answer. Idempotent: each close is a conditional update, so a second run closes nothing more.
    Returns how many it closed."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.SUPPORT_AUTO_CLOSE_DAYS)
    stale = SupportRequest.objects.filter(status=SupportStatus.ANSWERED, answered_at__lte=cutoff)
    closed = 0
    for pk in list(stale.values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            if not stale.filter(pk=pk).update(status=SupportStatus.CLOSED, closed_at=now, updated_at=now):
                continue  # the requester reacted meanwhile, or another run closed it
            request = SupportRequest.objects.select_related("requester", "assignee").get(pk=pk)
            event = _event(
                request,
                None,
                gettext_noop("Closed after %(days)d days without a reaction to the answer."),
                days=settings.SUPPORT_AUTO_CLOSE_DAYS,
            )
            _notify(
                [request.requester, request.assignee],
                "support.closed",
                request,
                key=f"support-event:{event.pk}",
                days=settings.SUPPORT_AUTO_CLOSE_DAYS,
            )
            closed += 1
    return closed
