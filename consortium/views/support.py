"""The support desk in the browser: the desk's lists, opening a request, its thread and workflow,
and the attachments. Students and anyone outside the two institutions get 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions
from ..forms import SupportMessageForm, SupportReopenForm, SupportRequestForm, SupportResolveForm, form_errors
from ..models import ACTIVE_SUPPORT_STATUSES, SupportAttachment, SupportMessage, SupportRequest, SupportStatus
from ..services import support as desk
from ..uploads import FileKind, private_download

PAGE_SIZE = 25


@login_required
def support_list(request):
    """The desk in tabs: requests for my institution, sent by it and, for liaison officers, the
    consortium-wide queue; the counts are of requests still waiting for someone."""
    user = request.user
    if not permissions.can_use_support_desk(user):
        raise Http404
    visible = SupportRequest.objects.visible_to(user)
    boxes = {
        "incoming": Q(target_institution_id=user.institution_id),
        "sent": Q(requesting_institution_id=user.institution_id),
    }
    if permissions.is_liaison_officer(user):
        boxes["shared"] = Q(in_shared_queue=True)
    active = Q(status__in=ACTIVE_SUPPORT_STATUSES)
    counts = visible.aggregate(**{name: Count("pk", filter=scope & active) for name, scope in boxes.items()})
    box = request.GET.get("box")
    if box not in boxes:
        box = "incoming" if counts["incoming"] else "sent"
    page = Paginator(visible.filter(boxes[box]).for_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    labels = {"incoming": _("For my institution"), "sent": _("Sent by my institution"), "shared": _("Shared queue")}
    tabs = [(name, labels[name], counts[name]) for name in boxes]
    context = {"box": box, "tabs": tabs, "page": page}
    return render(request, "consortium/support_list.html", context)


@login_required
def support_create(request):
    if not permissions.can_open_support_request(request.user):
        raise Http404
    form = SupportRequestForm(request.POST or None, request.FILES or None, requester=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            support = desk.open_support_request(requester=request.user, **form.service_arguments())
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Your request is on its way to %(to)s.") % {"to": _recipient(support)})
            return redirect(support)
    return render(request, "consortium/support_form.html", {"form": form})


def _recipient(support: SupportRequest) -> str:
    if support.assignee:
        return f"{support.assignee} ({support.target_institution})"
    return str(support.target_institution or _("the shared queue of liaison officers"))


def _support_for(request, pk) -> SupportRequest:
    """A request the user may see; 404 for everyone else, students and other institutions alike."""
    return get_object_or_404(SupportRequest.objects.visible_to(request.user).for_list(), pk=pk)


def _render_detail(request, support: SupportRequest, **forms):
    user = request.user
    answering = permissions.can_answer_support_request(user, support)
    requesting = permissions.is_support_requesting_staff(user, support)
    finished = support.status in (SupportStatus.RESOLVED, SupportStatus.CLOSED)
    thread = (
        SupportMessage.objects.visible_to(user)
        .filter(request=support)
        .select_related("author")
        .prefetch_related("attachments")
    )
    context = {
        "support": support,
        "thread": thread,
        "attachments": support.attachments.filter(message__isnull=True),
        "can_claim": answering
        and support.status in ACTIVE_SUPPORT_STATUSES
        and not (support.assignee_id == user.pk and support.status == SupportStatus.CLAIMED),
        "can_answer": answering and not finished,
        "can_note": answering,
        "can_reply": requesting and not finished,
        "can_resolve": requesting
        and support.first_response_at is not None
        and support.status in desk.RESOLVABLE_STATUSES,
        "can_reopen": requesting and support.status in desk.REOPENABLE_STATUSES,
        "can_publish": answering and permissions.can_publish_article(user, support),
        "message_form": forms.get("message_form") or SupportMessageForm(),
        # A request resolved again keeps the consent it had unless the requester unticks it.
        "resolve_form": forms.get("resolve_form")
        or SupportResolveForm(initial={"publication_consent": support.publication_consent}),
        "reopen_form": forms.get("reopen_form") or SupportReopenForm(),
    }
    return render(request, "consortium/support_detail.html", context)


@login_required
def support_detail(request, pk):
    return _render_detail(request, _support_for(request, pk))


def _done(request, support, text: str):
    messages.success(request, text)
    return redirect(support)


def _expected_assignee(request):
    """Whom the claim form showed holding the request: its hidden field, empty for nobody."""
    if "expected_assignee" not in request.POST:
        return desk.UNCHECKED
    try:
        return int(request.POST["expected_assignee"])
    except ValueError:
        return None


@login_required
@require_POST
def support_claim(request, pk):
    support = _support_for(request, pk)
    try:
        desk.claim_support_request(request=support, by=request.user, expected_assignee_id=_expected_assignee(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(support)
    return _done(request, support, _("The request is yours now."))


@login_required
@require_POST
def support_message(request, pk):
    """A message (an answer, from the partner's side), or an internal note with kind=note."""
    support = _support_for(request, pk)
    form = SupportMessageForm(request.POST, request.FILES)
    internal = request.POST.get("kind") == "note"
    if form.is_valid():
        try:
            desk.post_support_message(
                request=support,
                author=request.user,
                body=form.cleaned_data["body"],
                internal=internal,
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            return _done(request, support, _("Note added.") if internal else _("Message sent."))
    return _render_detail(request, support, message_form=form)


@login_required
@require_POST
def support_resolve(request, pk):
    support = _support_for(request, pk)
    form = SupportResolveForm(request.POST)
    if form.is_valid():
        try:
            desk.resolve_support_request(request=support, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            return _done(request, support, _("Thank you: the request is resolved."))
    return _render_detail(request, support, resolve_form=form)


@login_required
@require_POST
def support_reopen(request, pk):
    support = _support_for(request, pk)
    form = SupportReopenForm(request.POST)
    if form.is_valid():
        try:
            desk.reopen_support_request(request=support, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form_errors(form, error)
        else:
            return _done(request, support, _("The request is open again."))
    return _render_detail(request, support, reopen_form=form)


@login_required
def support_attachment(request, pk):
    """A file of a request, to those who may read it only: never under a public media URL, always
    downloaded, never displayed by the browser."""
    attachment = get_object_or_404(SupportAttachment.objects.visible_to(request.user), pk=pk)
    return private_download(attachment.file, name=attachment.name or "attachment", kind=FileKind(attachment.kind))
