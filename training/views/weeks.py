"""The public catalogue and page of each week, and the host's editing of weeks and their agendas."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.access import staff_institution_id
from consortium.events import ics_response
from consortium.forms import form_errors
from consortium.models import Institution
from consortium.services import seats as seat_service

from .. import calendar, permissions, services
from ..forms import CatalogueFilterForm, SessionForm, WeekForm
from ..models import Registration, Session, TrainingWeek, WeekStatus
from ..structured_data import education_event

PAGE_SIZE = 20


def catalogue(request):
    """Upcoming (or past) weeks of the whole consortium, filtered by country, language and month."""
    weeks = TrainingWeek.objects.visible_to(request.user).exclude(status=WeekStatus.DRAFT)
    codes = weeks.values_list("host__country", "language").distinct()
    form = CatalogueFilterForm(
        request.GET or None,
        country_codes=sorted({country for country, _language in codes}),
        language_codes=sorted({language for _country, language in codes}),
    )
    data = form.cleaned_data if form.is_valid() else {}
    past = data.get("when") == "past"
    weeks = weeks.past() if past else weeks.upcoming()
    if data.get("country"):
        weeks = weeks.filter(host__country=data["country"])
    if data.get("language"):
        weeks = weeks.filter(language=data["language"])
    if data.get("month"):
        month = int(data["month"])
        weeks = weeks.filter(Q(starts_on__month=month) | Q(ends_on__month=month))
    weeks = weeks.select_related("host", "seat_plan").annotate(session_count=Count("sessions"))
    weeks = weeks.order_by("-starts_on", "-pk") if past else weeks.order_by("starts_on", "pk")
    page = Paginator(weeks, PAGE_SIZE).get_page(request.GET.get("page"))
    host = _organising_institution(request)
    context = {
        "form": form,
        "page": page,
        "past": past,
        "host": host,
        # The catalogue lists published weeks only: the host's organisers find their drafts here.
        "drafts": host.training_weeks.filter(status=WeekStatus.DRAFT).order_by("starts_on", "pk") if host else (),
        "can_review": permissions.can_review_registrations(request.user),
    }
    return render(request, "training/week_list.html", context)


def _organising_institution(request) -> Institution | None:
    institution_id = staff_institution_id(request.user)
    institution = Institution.objects.filter(pk=institution_id).first() if institution_id else None
    return institution if institution and permissions.can_organise_weeks(request.user, institution) else None


def week_for(request, slug, allowed=None) -> TrainingWeek:
    """A week the user may see (404 otherwise); with `allowed`, one they may also act on."""
    week = get_object_or_404(
        TrainingWeek.objects.visible_to(request.user).select_related("host", "seat_plan", "contact"), slug=slug
    )
    if allowed is not None and not allowed(request.user, week):
        raise Http404
    return week


def _agenda(week) -> list[tuple]:
    sessions = list(week.sessions.select_related("module"))
    return [(day, [s for s in sessions if s.day == day]) for day in week.days]


def detail(request, slug):
    week = week_for(request, slug)
    summary = seat_service.seat_summary(week.seat_plan)
    user = request.user
    mine = (
        Registration.objects.active().filter(week=week, person=user).select_related("seat").first()
        if user.is_authenticated
        else None
    )
    can_register = permissions.can_register(user, week)
    context = {
        "week": week,
        "agenda": _agenda(week),
        "summary": summary,
        "mine": mine,
        "can_register": can_register,
        "refusal": services.registration_refusal(week, user) if can_register and not mine else None,
        "can_edit": permissions.can_edit_week(user, week),
        "json_ld": education_event(week, request, summary) if week.status == WeekStatus.PUBLISHED else None,
        "survey": services.week_survey(week),
        "materials": week.materials.visible_to(user).order_by("title"),
        "now": timezone.now(),
    }
    return render(request, "training/week_detail.html", context)


@login_required
def edit(request, slug=None):
    """Create a week (no slug) for the user's institution, or change one of its weeks."""
    week = week_for(request, slug, permissions.can_edit_week) if slug else None
    host = week.host if week else _organising_institution(request)
    if host is None:
        raise Http404
    form = WeekForm(
        request.POST if request.method == "POST" else None,
        instance=week or TrainingWeek(host=host),
        host=host,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            week = services.save_week(
                week=form.instance,
                capacity=form.cleaned_data["capacity"],
                quotas=form.quotas(),
                materials=form.cleaned_data["materials"],
                by=request.user,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Training week saved."))
            return redirect(week)
    return render(request, "training/week_form.html", {"form": form, "week": week})


@login_required
@require_POST
def change_status(request, slug, action):
    week = week_for(request, slug, permissions.can_edit_week)
    service = {"publish": services.publish_week, "cancel": services.cancel_week}[action]
    try:
        service(week=week, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The week is now %(status)s.") % {"status": week.get_status_display().lower()})
    return redirect(week)


@login_required
def session_edit(request, slug, pk=None):
    week = week_for(request, slug, permissions.can_edit_week)
    session = get_object_or_404(week.sessions, pk=pk) if pk else Session(week=week)
    form = SessionForm(
        request.POST if request.method == "POST" else None,
        instance=session,
        initial=None if pk else {"day": week.starts_on},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_session(session=form.instance, by=request.user)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Session saved."))
            return redirect(week)
    return render(request, "training/session_form.html", {"form": form, "week": week, "session": session})


@login_required
@require_POST
def session_delete(request, slug, pk):
    week = week_for(request, slug, permissions.can_edit_week)
    try:
        services.delete_session(session=get_object_or_404(week.sessions, pk=pk), by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Session removed from the agenda."))
    return redirect(week)


@login_required
def participants(request, slug):
    """The host's list of everyone registered, with seats and the waitlist in order."""
    week = week_for(request, slug, permissions.can_edit_week)
    registrations = (
        Registration.objects.visible_to(request.user)
        .filter(week=week)
        .select_related("person", "institution", "seat")
        .order_by("institution__name", "created_at")
    )
    summary = seat_service.seat_summary(week.seat_plan)
    return render(
        request, "training/participant_list.html", {"week": week, "registrations": registrations, "summary": summary}
    )


def week_calendar(request, slug):
    week = week_for(request, slug)
    sessions = week.sessions.select_related("module")
    return ics_response(calendar.week_calendar(week, sessions, request), f"{week.slug}.ics")


@login_required
def my_calendar(request):
    """Every session of the weeks the person holds a confirmed seat for."""
    weeks = Prefetch("week", TrainingWeek.objects.select_related("host", "contact"))
    sessions = (
        Session.objects.filter(week__registrations__in=Registration.objects.confirmed().filter(person=request.user))
        .select_related("module")
        .prefetch_related(weeks)
        .distinct()
    )
    return ics_response(calendar.sessions_calendar(sessions, request), "my-training.ics")
