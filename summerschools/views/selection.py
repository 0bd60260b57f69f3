"""The public catalogue and edition pages, applying, the student's application page and the
organisers' review of their own institution's applicants."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from consortium import events
from consortium.access import has_role, is_consortium_admin
from consortium.forms import form_errors
from consortium.services import seats as seat_service
from consortium.uploads import FileKind, private_download

from .. import permissions
from ..forms import ApplicationForm, FollowUpForm, ReviewForm
from ..models import ORGANISER_ROLES, Application, ApplicationStatus, Edition, EditionStatus, Place, Review
from ..services import organise, selection


def edition_for(request, slug) -> Edition:
    return get_object_or_404(Edition.objects.visible_to(request.user).select_related("host", "seat_plan"), slug=slug)


def application_for(request, pk, allowed=permissions.can_view_application) -> Application:
    """404 for an application the user may not see (another student's, another institution's)."""
    application = get_object_or_404(
        Application.objects.select_related("edition__host", "edition__seat_plan", "student", "seat"), pk=pk
    )
    if not allowed(request.user, application):
        raise Http404
    return application


def index(request):
    editions = (
        Edition.objects.visible_to(request.user)
        .select_related("host")
        .prefetch_related("co_organisers")
        .order_by("-starts_on", "pk")
    )
    context = {
        "editions": editions,
        "now": timezone.now(),
        "organiser_staff": is_consortium_admin(request.user) or has_role(request.user, *ORGANISER_ROLES),
    }
    return render(request, "summerschools/index.html", context)


def edition_detail(request, slug):
    edition = edition_for(request, slug)
    can_edit = permissions.can_edit_edition(request.user, edition)
    summary = seat_service.seat_summary(edition.seat_plan)
    eligible = selection.eligible_institutions(edition)
    refusal = None
    if permissions.can_apply(request.user, edition):
        refusal = selection.application_refusal(edition, request.user, eligible)
    context = {
        "edition": edition,
        "eligible": eligible,
        "refusal": refusal,
        "institutions": edition.institutions(),
        "criteria": edition.criteria.all(),
        "challenges": edition.challenges.select_related("company", "mentor"),
        "summary": summary,
        "can_edit": can_edit,
        "is_organiser": permissions.is_organiser(request.user, edition),
        "bip_shortfalls": selection.bip_shortfalls(edition) if can_edit else None,
        "mine": Application.objects.filter(edition=edition, student_id=request.user.pk).first()
        if request.user.is_authenticated
        else None,
        "json_ld": _education_event(edition, request, summary) if edition.status == EditionStatus.PUBLISHED else None,
    }
    return render(request, "summerschools/edition_detail.html", context)


def _education_event(edition, request, summary) -> str:
    url = request.build_absolute_uri(edition.get_absolute_url())
    place = {"name": edition.venue or edition.host.name, "city": edition.city,
             "country_code": edition.host.country.code}  # fmt: skip
    data = events.education_event(
        name=edition.title,
        description=edition.theme,
        starts_on=edition.starts_on,
        ends_on=edition.ends_on,
        url=url,
        mode=events.OFFLINE if edition.place == Place.ON_SITE else events.MIXED,
        place=place,
        language=edition.language,
        organizer=[{"@type": "CollegeOrUniversity", "name": i.name} for i in edition.institutions()],
        capacity=summary.capacity,
        educationalCredentialAwarded=f"{edition.ects} ECTS",
        audience={"@type": "EducationalAudience", "educationalRole": "student"},
        offers=events.offer(
            url=url,
            available=edition.call_is_open(),
            valid_from=edition.call_opens_at,
            valid_through=edition.call_closes_at,
        ),
    )
    return events.json_ld(data)


def edition_calendar(request, slug):
    """The school as one all-day iCalendar event."""
    edition = edition_for(request, slug)
    cal = events.calendar(prodid="-//Career Consortium//Summer schools//EN", name=edition.title)
    event = events.all_day_event(
        uid=f"summer-school-{edition.pk}@summerschools.career-consortium",
        starts_on=edition.starts_on,
        ends_on=edition.ends_on,
        summary=edition.title,
        location=", ".join(p for p in [edition.venue, edition.city] if p),
        url=request.build_absolute_uri(edition.get_absolute_url()),
    )
    event.add("description", edition.theme)
    cal.add_component(event)
    return events.ics_response(cal.to_ical(), f"{edition.slug}.ics")


@login_required
def apply(request, slug):
    edition = edition_for(request, slug)
    if not permissions.can_apply(request.user, edition):
        raise PermissionDenied
    mine = Application.objects.filter(edition=edition, student=request.user).first()
    if mine:
        messages.info(request, _("You have applied to this summer school already."))
        return redirect(mine)
    refusal = selection.application_refusal(edition, request.user)
    if refusal:
        messages.error(request, refusal)
        return redirect(edition)
    form = ApplicationForm(request.POST or None, request.FILES or None, edition=edition)
    if request.method == "POST" and form.is_valid():
        try:
            application = selection.apply(edition=edition, student=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Your application is in. We will write to you with the decision."))
            return redirect(application)
    return render(request, "summerschools/application_form.html", {"edition": edition, "form": form})


@login_required
def application_detail(request, pk):
    application = application_for(request, pk)
    follow_up = getattr(application, "follow_up", None)
    form = None
    if permissions.can_fill_follow_up(request.user, application):
        form = FollowUpForm(request.POST or None, instance=follow_up)
        if request.method == "POST" and form.is_valid():
            try:
                selection.save_follow_up(application=application, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, _("Thank you: the organisers have your details."))
                return redirect(application)
    context = {
        "application": application,
        "edition": application.edition,
        "is_student": application.student_id == request.user.pk,
        "follow_up_form": form,
        "position": seat_service.waitlist_position(application.seat) if application.seat_id else None,
        "certificate_available": organise.certificate_available(application),
    }
    return render(request, "summerschools/application_detail.html", context)


@login_required
@require_POST
def confirm(request, pk):
    application = application_for(request, pk)
    try:
        selection.confirm_application(application=application, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your seat is confirmed. Please fill in the follow-up form."))
    return redirect(application)


@login_required
def applications(request, slug):
    """The organiser's own institution's applicants, with their weighted scores."""
    edition = edition_for(request, slug)
    if not permissions.is_organiser(request.user, edition):
        raise Http404
    rows = list(
        Application.objects.reviewable_by(request.user)
        .filter(edition=edition)
        .select_related("student", "seat")
        .prefetch_related("preferred_challenges")
    )
    scores = selection.weighted_scores(rows)
    conflicted = set(
        Review.objects.filter(application__in=rows, reviewer=request.user, conflict_of_interest=True).values_list(
            "application_id", flat=True
        )
    )
    for row in rows:
        row.weighted_score = scores[row.pk]
        row.conflicted = row.pk in conflicted
    rows.sort(key=lambda a: (a.weighted_score is None, -(a.weighted_score or 0), a.pk))
    summary = seat_service.seat_summary(edition.seat_plan)
    own = next((i for i in summary.institutions if i.institution.pk == request.user.institution_id), None)
    # Accepting would be refused: say so instead of offering the button (the service still decides).
    room = summary.remaining > 0 and (own is None or own.remaining is None or own.remaining > 0)
    context = {"edition": edition, "applications": rows, "summary": summary, "own": own, "room": room}
    return render(request, "summerschools/application_list.html", context)


@login_required
def review(request, pk):
    application = application_for(request, pk, allowed=permissions.can_review)
    criteria = application.edition.criteria.all()
    form = ReviewForm(request.POST or None, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        try:
            selection.review_application(
                application=application,
                reviewer=request.user,
                scores=form.scores(),
                conflict_of_interest=form.cleaned_data["conflict_of_interest"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Review saved."))
            return redirect("summerschools:applications", application.edition.slug)
    context = {"application": application, "edition": application.edition, "form": form}
    return render(request, "summerschools/review_form.html", context)


DECISIONS = {
    "accept": selection.accept_application,
    "waitlist": selection.waitlist_application,
    "reject": selection.reject_application,
}
OUTCOMES = {
    ApplicationStatus.ACCEPTED: gettext_lazy("Accepted: a seat is offered to the student, to confirm within 7 days."),
    ApplicationStatus.WAITLISTED: gettext_lazy("The student is on the waitlist."),
    ApplicationStatus.REJECTED: gettext_lazy("The application is rejected."),
}


@login_required
@require_POST
def decide(request, pk, decision):
    if decision not in DECISIONS:
        raise Http404
    application = application_for(request, pk, allowed=permissions.can_review)
    try:
        application = DECISIONS[decision](application=application, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, OUTCOMES[application.status])
    return redirect("summerschools:applications", application.edition.slug)


@login_required
def cv(request, pk):
    """The CV, to the student and the organisers who review them only: never under a public media URL."""
    application = application_for(request, pk)
    return private_download(application.cv, name=f"cv-{application.pk}", kind=FileKind.PDF)
