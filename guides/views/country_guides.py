"""Country guides in the browser: public reading pages, and the maintainers' drafts, reviews and history."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.forms import form_errors

from .. import permissions
from ..forms import (
    CompareRevisionsForm,
    DraftVersionForm,
    GuideSectionForm,
    InviteEditorForm,
    SendBackDraftForm,
    StartEditionForm,
    SubmitDraftForm,
)
from ..impact import record_guide_read
from ..models import CountryGuide, GuideDraft, GuideEdition, GuideEditor, GuideRevision, GuideSection, SectionKey
from ..services import country_guides as guides
from ..services.guide_diffs import diff_contents


def _guide_for(request, country: str, allowed=None, may=None) -> CountryGuide:
    """A guide by its country code; with `allowed`, only for those the predicate allows (404 otherwise),
    and with `may` too, 403 for those it refuses (they see the guide, but may not do this)."""
    guide = get_object_or_404(CountryGuide, country=country.upper())
    if allowed is not None and not allowed(request.user, guide):
        raise Http404
    if may is not None and not may(request.user, guide):
        raise PermissionDenied
    return guide


def _edition_for(request, country: str, language: str, allowed=None, may=None) -> GuideEdition:
    """A published edition for readers; with `allowed`, any edition of a guide the user may work on
    (404 otherwise); with `may` too, 403 for those it refuses."""
    editions = GuideEdition.objects.select_related("guide", "current_revision")
    if allowed is None:
        editions = editions.published()
    edition = get_object_or_404(editions, guide__country=country.upper(), language=language.lower())
    if allowed is not None and not allowed(request.user, edition.guide):
        raise Http404
    if may is not None and not may(request.user, edition.guide):
        raise PermissionDenied
    return edition


def job_board_url(country_code: str, **filters) -> str:
    return f"{reverse('jobs:index')}?{urlencode({'country': country_code, **filters})}"


# Reading


def index(request):
    editions = GuideEdition.objects.published().select_related("guide").order_by("guide__country", "language")
    guides_shown: dict[int, dict] = {}
    for edition in editions:
        guides_shown.setdefault(edition.guide_id, {"guide": edition.guide, "editions": []})["editions"].append(edition)
    maintained = permissions.maintained_guide_ids(request.user)
    context = {
        "guides": sorted(guides_shown.values(), key=lambda g: str(g["guide"].country.name)),
        "maintained": CountryGuide.objects.filter(pk__in=maintained) if maintained else [],
        "can_start": permissions.can_open_editions(request.user),
    }
    return render(request, "guides/index.html", context)


def guide(request, country):
    """A guide's address leads to the edition in the reader's language, or English, or another."""
    guide = _guide_for(request, country)
    edition = GuideEdition.preferred(guide.editions.published())
    if edition is None:
        if permissions.can_view_guide_workspace(request.user, guide):
            return redirect("guides:manage", country=country.lower())
        raise Http404
    return redirect(edition)


def edition(request, country, language):
    edition = _edition_for(request, country, language)
    record_guide_read(request, edition)
    now = timezone.now()
    sections = sorted(edition.sections.written(), key=lambda section: section.order)
    siblings = edition.guide.editions.published().order_by("language")
    context = {
        "edition": edition,
        "guide": edition.guide,
        "sections": [(section, section.is_stale(now)) for section in sections],
        "siblings": siblings,
        "last_reviewed": max((s.last_reviewed_at for s in sections if s.last_reviewed_at), default=None),
        "jobs_url": job_board_url(edition.guide.country.code),
        "traineeships_url": job_board_url(edition.guide.country.code, kind="erasmus_traineeship"),
        "can_maintain": permissions.can_maintain_guide(request.user, edition.guide),
    }
    return render(request, "guides/guideedition_detail.html", context)


# Maintaining


@login_required
def start(request):
    form = StartEditionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            edition = guides.start_edition(**form.cleaned_data, by=request.user)
        except ValidationError as error:
            form_errors(form, error)
        except PermissionDenied:
            form.add_error("country", _("You can open editions only of the guide to your own country."))
        else:
            messages.success(request, _("The edition is open. Write its first draft."))
            return redirect("guides:manage", country=edition.guide.country.code.lower())
    elif not permissions.can_open_editions(request.user):
        raise Http404
    return render(request, "guides/guideedition_form.html", {"form": form})


@login_required
def manage(request, country):
    guide = _guide_for(request, country, permissions.can_view_guide_workspace)
    sections = GuideSection.objects.select_related("last_reviewed_by")
    editions = (
        guide.editions.select_related("current_revision")
        .prefetch_related(Prefetch("sections", sections))
        .order_by("language")
    )
    open_drafts = {
        d.edition_id: d for d in GuideDraft.objects.open().filter(edition__guide=guide).select_related("author")
    }
    now = timezone.now()
    rows = []
    for item in editions:
        sections = sorted(item.sections.all(), key=lambda section: section.order)
        rows.append({"edition": item, "draft": open_drafts.get(item.pk), "sections": sections, "now": now})
    context = {
        "guide": guide,
        "rows": rows,
        "stale": {s.pk for row in rows for s in row["sections"] if s.is_stale(now)},
        "maintainers": guides.guide_maintainers(guide),
        "editors": guide.editors.select_related("user__institution"),
        "can_maintain": permissions.can_maintain_guide(request.user, guide),
        "can_manage_editors": permissions.can_manage_guide_editors(request.user, guide),
        "invite_form": InviteEditorForm(),
    }
    return render(request, "guides/countryguide_manage.html", context)


@login_required
@require_POST
def invite_editor(request, country):
    guide = _guide_for(request, country, permissions.can_view_guide_workspace, permissions.can_manage_guide_editors)
    form = InviteEditorForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["email"])
        editor = guides.invite_editor(guide=guide, email=form.cleaned_data["email"], by=request.user)
    except ValidationError as error:
        messages.error(request, _("E-mail address: %(problem)s") % {"problem": " ".join(error.messages)})
    else:
        messages.success(request, _("%(name)s can now edit the guide.") % {"name": editor.user.full_name})
    return redirect("guides:manage", country=country.lower())


@login_required
@require_POST
def remove_editor(request, country, pk):
    guide = _guide_for(request, country, permissions.can_view_guide_workspace, permissions.can_manage_guide_editors)
    editor = get_object_or_404(GuideEditor.objects.select_related("user", "guide"), pk=pk, guide=guide)
    guides.remove_editor(editor=editor, by=request.user)
    messages.success(request, _("%(name)s no longer edits the guide.") % {"name": editor.user.full_name})
    return redirect("guides:manage", country=country.lower())


@login_required
@require_POST
def mark_reviewed(request, country, language, key):
    edition = _edition_for(
        request, country, language, permissions.can_view_guide_workspace, permissions.can_maintain_guide
    )
    section = get_object_or_404(edition.sections, key=key)
    try:
        guides.mark_section_reviewed(section=section, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(section)s” marked as reviewed today.") % {"section": section.get_key_display()})
    return redirect("guides:manage", country=country.lower())


# Drafts and review


def _open_draft_of(edition: GuideEdition) -> GuideDraft | None:
    return edition.drafts.open().select_related("author", "edition__guide", "restored_from").first()


@login_required
def draft(request, country, language):
    """The edition's open draft: its author edits and submits it, the other maintainers review it."""
    edition = _edition_for(request, country, language, permissions.can_view_guide_workspace)
    if request.method == "POST":  # start a draft
        try:
            guides.open_draft(edition=edition, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("guides:draft", country=country.lower(), language=edition.language)
    return _draft_page(request, edition, _open_draft_of(edition))


def _draft_page(request, edition: GuideEdition, current: GuideDraft | None, submit_form=None, status=200):
    published = guides.published_content(edition)
    version = {"draft": current.pk, "version": current.version} if current else {}
    context = {
        "edition": edition,
        "guide": edition.guide,
        "draft": current,
        "version": version,
        "diffs": [d for d in diff_contents(published, current.content) if d.changed] if current else [],
        "section_keys": SectionKey.choices,
        "can_maintain": permissions.can_maintain_guide(request.user, edition.guide),
        "can_edit": current is not None and permissions.can_edit_draft(request.user, current),
        "can_review": current is not None and permissions.can_review_draft(request.user, current),
        "submit_form": submit_form or SubmitDraftForm(initial={"note": current.note if current else ""}),
        "send_back_form": SendBackDraftForm(initial=version),
    }
    return render(request, "guides/guidedraft_detail.html", context, status=status)


@login_required
def draft_section(request, country, language, key):
    edition = _edition_for(request, country, language, permissions.can_view_guide_workspace)
    current = _open_draft_of(edition)
    if current is None or key not in SectionKey.values:
        raise Http404
    if not permissions.can_edit_draft(request.user, current):
        raise PermissionDenied
    form = GuideSectionForm(request.POST or None, initial={"body_markdown": current.content.get(key, "")})
    if request.method == "POST" and form.is_valid():
        try:
            guides.save_draft_section(
                draft=current, key=key, markdown=form.cleaned_data["body_markdown"], by=request.user
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("“%(section)s” saved in your draft.") % {"section": SectionKey(key).label})
            return redirect("guides:draft", country=country.lower(), language=edition.language)
    context = {"edition": edition, "guide": edition.guide, "draft": current, "key": key, "label": SectionKey(key).label}
    return render(request, "guides/guidedraft_section_form.html", context | {"form": form})


@login_required
@require_POST
def draft_action(request, country, language, action):
    """Submit the edition's open draft (its author); approve, send back or discard the draft the form
    names, as long as it is still the version the reviewer read."""
    edition = _edition_for(
        request, country, language, permissions.can_view_guide_workspace, permissions.can_maintain_guide
    )
    if action == "submit":
        current = _open_draft_of(edition)
        if current is None:
            raise Http404
        form = SubmitDraftForm(request.POST)
        if not form.is_valid():
            return _draft_page(request, edition, current, submit_form=form, status=400)
    else:
        seen = DraftVersionForm(request.POST)
        if not seen.is_valid():
            messages.error(request, _("Reload the draft and try again: the form did not say which version you read."))
            return redirect("guides:draft", country=country.lower(), language=edition.language)
        current = get_object_or_404(
            GuideDraft.objects.select_related("author", "edition__guide", "restored_from"),
            pk=seen.cleaned_data["draft"],
            edition=edition,
        )
        version = seen.cleaned_data["version"]
    try:
        if action == "submit":
            guides.submit_draft(draft=current, note=form.cleaned_data["note"], by=request.user)
            done = _("Draft submitted: the other maintainers were asked to review it.")
        elif action == "approve":
            revision = guides.approve_draft(draft=current, by=request.user, version=version)
            done = _("Published as revision %(number)s.") % {"number": revision.number}
        elif action == "send-back":
            comment = request.POST.get("comment", "")
            guides.send_back_draft(draft=current, comment=comment, by=request.user, version=version)
            done = _("Draft sent back to its author.")
        else:
            guides.discard_draft(draft=current, by=request.user, version=version)
            done = _("Draft discarded.")
    except ValidationError as error:
        if action == "submit" and hasattr(error, "error_dict"):
            form_errors(form, error)
            return _draft_page(request, edition, current, submit_form=form, status=400)
        messages.error(request, " ".join(error.messages))
        return redirect("guides:draft", country=country.lower(), language=edition.language)
    messages.success(request, done)
    if action == "approve":
        return redirect(edition)
    return redirect("guides:draft", country=country.lower(), language=edition.language)


# History


@login_required
def revisions(request, country, language):
    edition = _edition_for(request, country, language, permissions.can_view_guide_workspace)
    history = edition.revisions.select_related("author", "approved_by")
    context = {
        "edition": edition,
        "guide": edition.guide,
        "revisions": history,
        "can_maintain": permissions.can_maintain_guide(request.user, edition.guide),
    }
    return render(request, "guides/guiderevision_list.html", context)


@login_required
def compare(request, country, language):
    edition = _edition_for(request, country, language, permissions.can_view_guide_workspace)
    form = CompareRevisionsForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose two revisions to compare."))
        return redirect("guides:revisions", country=country.lower(), language=edition.language)
    old = get_object_or_404(edition.revisions, number=form.cleaned_data["old"])
    new = get_object_or_404(edition.revisions, number=form.cleaned_data["new"])
    context = {
        "edition": edition,
        "guide": edition.guide,
        "old": old,
        "new": new,
        "diffs": diff_contents(old.content, new.content),
    }
    return render(request, "guides/guiderevision_compare.html", context)


@login_required
@require_POST
def restore(request, country, language, number):
    edition = _edition_for(
        request, country, language, permissions.can_view_guide_workspace, permissions.can_maintain_guide
    )
    revision = get_object_or_404(GuideRevision.objects.select_related("edition__guide"), edition=edition, number=number)
    try:
        guides.restore_revision(revision=revision, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("guides:revisions", country=country.lower(), language=edition.language)
    messages.success(
        request,
        _("A draft with the text of revision %(number)s is open: submit it for review to publish it again.")
        % {"number": number},
    )
    return redirect("guides:draft", country=country.lower(), language=edition.language)
