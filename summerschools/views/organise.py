"""The organisers' pages: their summer schools, creating and editing an edition with its seats,
criteria and challenges, publishing, the participants with their completion, and the survey."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from consortium.access import is_consortium_admin
from consortium.forms import form_errors
from consortium.models import Institution
from consortium.services import surveys as survey_service

from .. import permissions
from ..forms import ChallengeForm, EditionForm
from ..models import ApplicationStatus, Edition, Review
from ..services import organise, selection
from .selection import edition_for

COMPARED_EDITIONS = 6


def organised_edition(request, slug, allowed=permissions.can_edit_edition) -> Edition:
    """An edition the user organises (404 for anyone else, drafts and published alike)."""
    edition = edition_for(request, slug)
    if not allowed(request.user, edition):
        raise Http404
    return edition


@login_required
def my_editions(request):
    confirmed = Count("applications", filter=Q(applications__status=ApplicationStatus.CONFIRMED))
    editions = (
        Edition.objects.filter(organisers=request.user)
        .select_related("host")
        .annotate(application_count=Count("applications"), confirmed_count=confirmed)
        .order_by("-starts_on", "pk")
    )
    can_create = is_consortium_admin(request.user) or permissions.can_create_edition(
        request.user, request.user.institution
    )
    return render(request, "summerschools/edition_mine.html", {"editions": editions, "can_create": can_create})


@login_required
def edition_edit(request, slug=None):
    """Create an edition (no slug) hosted by the user's institution (consortium admins choose), or
    change one they organise."""
    admin = is_consortium_admin(request.user)
    if slug:
        edition = organised_edition(request, slug)
    else:
        host = None if admin else request.user.institution
        if not admin and not permissions.can_create_edition(request.user, host):
            raise Http404
        edition = Edition(host=host)
    locked = bool(edition.pk) and Review.objects.filter(application__edition=edition).exists()
    form = EditionForm(
        request.POST if request.method == "POST" else None,
        instance=edition,
        hosts=Institution.objects.active().order_by("name") if admin and not edition.pk else None,
        criteria_locked=locked,
    )
    if request.method == "POST" and form.is_valid():
        try:
            edition = selection.save_edition(
                edition=form.instance,
                capacity=form.cleaned_data["capacity"],
                quotas=form.quotas(),
                co_organisers=list(form.cleaned_data["co_organisers"]),
                organisers=list(form.cleaned_data["organisers"]) if "organisers" in form.fields else None,
                criteria=form.criteria(),
                by=request.user,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "quotas" in error.error_dict:
                # The seats service's word for the quotas' sum, shown by the seats it exceeds.
                error.error_dict.setdefault("capacity", []).extend(error.error_dict.pop("quotas"))
            form_errors(form, error)
        else:
            messages.success(request, _("Summer school saved."))
            return redirect("summerschools:edit", edition.slug)
    context = {
        "form": form,
        "edition": edition if edition.pk else None,
        "bip_shortfalls": selection.bip_shortfalls(edition) if edition.pk else None,
        "challenges": edition.challenges.select_related("company", "mentor") if edition.pk else [],
    }
    return render(request, "summerschools/edition_form.html", context)


@login_required
@require_POST
def publish(request, slug):
    edition = organised_edition(request, slug)
    try:
        selection.publish_edition(edition=edition, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The summer school is published and its call is announced."))
    return redirect(edition)


@login_required
def challenge_edit(request, slug, pk=None):
    edition = organised_edition(request, slug)
    challenge = get_object_or_404(edition.challenges, pk=pk) if pk else None
    form = ChallengeForm(
        request.POST if request.method == "POST" else None,
        instance=challenge,
        edition=edition,
        companies=organise.network_companies(edition),
        mentors=organise.mentor_candidates(edition),
    )
    if request.method == "POST" and form.is_valid():
        data = {key: form.cleaned_data[key] for key in ("company", "title", "description", "mentor")}
        try:
            if challenge:
                organise.change_challenge(challenge=challenge, by=request.user, **data)
            else:
                selection.add_challenge(edition=edition, by=request.user, **data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Challenge saved."))
            return redirect("summerschools:edit", edition.slug)
    context = {"form": form, "edition": edition, "challenge": challenge}
    return render(request, "summerschools/challenge_form.html", context)


@login_required
@require_POST
def challenge_delete(request, slug, pk):
    edition = organised_edition(request, slug)
    challenge = get_object_or_404(edition.challenges, pk=pk)
    try:
        organise.remove_challenge(challenge=challenge, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Challenge removed."))
    return redirect("summerschools:edit", edition.slug)


@login_required
def participants(request, slug):
    edition = organised_edition(request, slug, permissions.can_manage_participants)
    follow_ups = permissions.can_view_follow_ups(request.user, edition)
    rows = list(organise.participants(edition, with_follow_up=follow_ups))
    context = {
        "edition": edition,
        "participants": rows,
        "completion_pending": any(row.completed is None for row in rows),
        "follow_ups": follow_ups,
        "has_ended": edition.has_ended(),
        "survey": organise.edition_survey(edition),
    }
    return render(request, "summerschools/participant_list.html", context)


COMPLETION = {"completed": True, "not-completed": False}


@login_required
@require_POST
def completion(request, slug, pk):
    edition = organised_edition(request, slug, permissions.can_manage_participants)
    application = get_object_or_404(edition.applications.select_related("student"), pk=pk)
    if request.POST.get("completed") not in COMPLETION:
        messages.error(request, _("Choose completed or did not complete."))
        return redirect("summerschools:participants", edition.slug)
    try:
        organise.record_completion(
            application=application, completed=COMPLETION[request.POST["completed"]], by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Completion recorded for %(name)s.") % {"name": application.student.full_name})
    return redirect("summerschools:participants", edition.slug)


@login_required
@require_POST
def completion_all(request, slug):
    edition = organised_edition(request, slug, permissions.can_manage_participants)
    try:
        count = organise.record_all_completed(edition=edition, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d participant recorded as completed.", "%(count)d participants recorded as completed.", count
            )
            % {"count": count},
        )
    return redirect("summerschools:participants", edition.slug)


@login_required
@require_POST
def survey_open(request, slug):
    edition = organised_edition(request, slug, permissions.can_manage_participants)
    try:
        organise.open_survey(edition=edition, by=request.user, anonymous=request.POST.get("named") != "1")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The evaluation survey is open; the participants have been invited."))
    return redirect("summerschools:participants", edition.slug)


@login_required
def survey_results(request, slug):
    edition = organised_edition(request, slug, permissions.can_manage_participants)
    survey = organise.edition_survey(edition)
    if survey is None:
        raise Http404
    context = {
        "edition": edition,
        **survey_service.results_with_comparison(
            survey=survey,
            event=edition,
            events=Edition.objects.all(),
            date_field="starts_on",
            limit=COMPARED_EDITIONS,
        ),
    }
    return render(request, "summerschools/survey_results.html", context)
