"""The public catalogue and edition pages, applying, the student's application page and the
organisers' review of their own institution's applicants."""

import datetime
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event

from consortium.forms import form_errors
from consortium.services import seats as seat_service
from consortium.uploads import FileKind, private_download

from .. import permissions
from ..forms import ApplicationForm, FollowUpForm, ReviewForm
from ..models import Application, ApplicationStatus, Edition, EditionStatus, Place
from ..services import selection

# What may not appear raw inside a <script> element.
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


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
    return render(request, "summerschools/index.html", {"editions": editions, "now": timezone.now()})


def edition_detail(request, slug):
    edition = edition_for(request, slug)
    can_edit = permissions.can_edit_edition(request.user, edition)
    summary = seat_service.seat_summary(edition.seat_plan)
    context = {
        "edition": edition,
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
    """schema.org EducationEvent, escaped for a <script type="application/ld+json"> element."""
    url = request.build_absolute_uri(edition.get_absolute_url())
    place = {
        "@type": "Place",
        "name": edition.venue or edition.host.name,
        "address": {
            "@type": "PostalAddress",
            "addressLocality": edition.city,
            "addressCountry": edition.host.country.code,
        },
    }
    data = {
        "@context": "https://schema.org",
        "@type": "EducationEvent",
        "name": edition.title,
        "description": edition.theme,
        "startDate": edition.starts_on,
        "endDate": edition.ends_on,
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode"
        if edition.place == Place.ON_SITE
        else "https://schema.org/MixedEventAttendanceMode",
        "location": place if edition.place == Place.ON_SITE else [place, {"@type": "VirtualLocation", "url": url}],
        "inLanguage": edition.language,
        "organizer": [{"@type": "CollegeOrUniversity", "name": i.name} for i in edition.institutions()],
        "url": url,
        "maximumAttendeeCapacity": summary.capacity,
        "educationalCredentialAwarded": f"{edition.ects} ECTS",
        "audience": {"@type": "EducationalAudience", "educationalRole": "student"},
        "offers": {
            "@type": "Offer",
            "url": url,
            "availability": "https://schema.org/InStock" if edition.call_is_open() else "https://schema.org/SoldOut",
            "validFrom": edition.call_opens_at,
            "validThrough": edition.call_closes_at,
        },
    }
    return mark_safe(json.dumps(data, cls=DjangoJSONEncoder).translate(SCRIPT_ESCAPES))  # noqa: S308 - escaped above


def edition_calendar(request, slug):
    """The school as one all-day iCalendar (RFC 5545) event; the UID keeps re-imports from doubling it."""
    edition = edition_for(request, slug)
    cal = Calendar()
    cal.add("prodid", "-//Career Consortium//Summer schools//EN")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"summer-school-{edition.pk}@summerschools.career-consortium")
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", edition.starts_on)
    event.add("dtend", edition.ends_on + datetime.timedelta(days=1))  # DTEND of an all-day event is exclusive
    event.add("summary", edition.title)
    event.add("location", ", ".join(p for p in [edition.venue, edition.city] if p))
    event.add("description", edition.theme)
    event.add("url", request.build_absolute_uri(edition.get_absolute_url()))
    cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{edition.slug}.ics"'
    return response


@login_required
def apply(request, slug):
    edition = edition_for(request, slug)
    if not permissions.can_apply(request.user, edition):
        raise PermissionDenied
    mine = Application.objects.filter(edition=edition, student=request.user).first()
    if mine:
        messages.info(request, _("You have applied to this summer school already."))
        return redirect(mine)
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
    for row in rows:
        row.weighted_score = scores[row.pk]
    rows.sort(key=lambda a: (a.weighted_score is None, -(a.weighted_score or 0), a.pk))
    summary = seat_service.seat_summary(edition.seat_plan)
    own = next((i for i in summary.institutions if i.institution.pk == request.user.institution_id), None)
    context = {"edition": edition, "applications": rows, "summary": summary, "own": own}
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
