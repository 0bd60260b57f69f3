"""After the school: the alumni directory (join, edit, leave, browse) and the ventures participants
founded (the public list, adding, editing and deleting one)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.forms import form_errors

from .. import permissions
from ..forms import AlumniFilterForm, AlumniProfileForm, VentureFilterForm, VentureForm
from ..models import AlumniProfile, Application, Edition, EditionStatus, Venture
from ..services import alumni
from .selection import edition_for

PAGE_SIZE = 24


@login_required
def directory(request):
    if not permissions.can_view_alumni_directory(request.user):
        context = {"can_join": permissions.can_join_alumni(request.user)}
        return render(request, "summerschools/alumni/join_info.html", context, status=403)
    editions = Edition.objects.filter(Exists(Application.objects.alumni().filter(edition=OuterRef("pk"))))
    form = AlumniFilterForm(request.GET or None, editions=editions.order_by("-starts_on"))
    filters = form.cleaned_data if form.is_valid() else {}
    profiles = alumni.directory(**{k: v for k, v in filters.items() if v not in (None, "")})
    context = {
        "form": form,
        "page": Paginator(profiles, PAGE_SIZE).get_page(request.GET.get("page")),
        "mine": AlumniProfile.objects.filter(user=request.user).first(),
    }
    return render(request, "summerschools/alumni/directory.html", context)


@login_required
def join(request):
    if AlumniProfile.objects.filter(user=request.user).exists():
        return redirect("summerschools:alumni-profile")
    if not permissions.can_join_alumni(request.user):
        raise PermissionDenied
    form = AlumniProfileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alumni.join_alumni(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Welcome to the alumni directory."))
            return redirect("summerschools:alumni")
    return render(request, "summerschools/alumni/profile_form.html", {"form": form, "joining": True})


@login_required
def profile(request):
    profile = get_object_or_404(AlumniProfile, user=request.user)
    form = AlumniProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            alumni.update_alumni_profile(profile=profile, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Your alumni profile is saved."))
            return redirect("summerschools:alumni")
    return render(request, "summerschools/alumni/profile_form.html", {"form": form, "joining": False})


@login_required
@require_POST
def leave(request):
    alumni.leave_alumni(user=request.user)
    messages.success(request, _("You have left the alumni directory; your profile is deleted."))
    return redirect("summerschools:index")


def ventures(request):
    """Public: the ventures of published editions, how many per edition, by edition and year."""
    counted = (
        Edition.objects.published()
        .annotate(venture_count=Count("ventures"))
        .filter(venture_count__gt=0)
        .order_by("-starts_on", "pk")
    )
    all_ventures = alumni.ventures()
    years = sorted(set(all_ventures.values_list("founded_year", flat=True)), reverse=True)
    form = VentureFilterForm(request.GET or None, editions=counted, years=years)
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("edition"):
        all_ventures = all_ventures.filter(edition=filters["edition"])
    if filters.get("year"):
        all_ventures = all_ventures.filter(founded_year=filters["year"])
    context = {
        "form": form,
        "counts": counted,
        "page": Paginator(all_ventures, PAGE_SIZE).get_page(request.GET.get("page")),
    }
    return render(request, "summerschools/alumni/venture_list.html", context)


def _venture_for(request, pk, allowed) -> Venture:
    """404 for a venture of an edition the user may not see; 403 when they may see but not change it."""
    venture = get_object_or_404(Venture.objects.select_related("edition"), pk=pk)
    if venture.edition.status != EditionStatus.PUBLISHED and not permissions.can_edit_edition(
        request.user, venture.edition
    ):
        raise Http404
    if not allowed(request.user, venture):
        raise PermissionDenied
    return venture


@login_required
def venture_add(request, slug):
    edition = edition_for(request, slug)
    if not permissions.can_add_venture(request.user, edition):
        raise PermissionDenied
    return _venture_form(request, Venture(edition=edition))


@login_required
def venture_edit(request, pk):
    return _venture_form(request, _venture_for(request, pk, permissions.can_edit_venture))


def _venture_form(request, venture):
    form = VentureForm(request.POST or None, instance=venture, participants=alumni.participants(venture.edition))
    if request.method == "POST" and form.is_valid():
        founders = list(form.cleaned_data.pop("founders"))
        try:
            alumni.save_venture(venture=form.save(commit=False), founders=founders, by=request.user)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The venture is saved."))
            return redirect(f"{venture.edition.get_absolute_url()}#ventures")
    context = {"form": form, "venture": venture, "edition": venture.edition}
    return render(request, "summerschools/alumni/venture_form.html", context)


@login_required
@require_POST
def venture_delete(request, pk):
    venture = _venture_for(request, pk, permissions.can_edit_venture)
    alumni.delete_venture(venture=venture, by=request.user)
    messages.success(request, _("The venture is deleted."))
    return redirect("summerschools:ventures")
