"""Checking participants in per session, from a phone: one big toggle per person. With HTMX a toggle
swaps only its own button; without JavaScript the form posts and the page comes back."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import permissions, services
from ..models import Attendance, Registration
from .weeks import week_for


@login_required
def sessions(request, slug):
    week = week_for(request, slug, permissions.can_check_in)
    return render(request, "training/checkin_sessions.html", {"week": week, "sessions": week.sessions.all()})


def _participants(week):
    return Registration.objects.confirmed().filter(week=week).select_related("person", "institution")


@login_required
def session(request, slug, pk):
    week = week_for(request, slug, permissions.can_check_in)
    current = get_object_or_404(week.sessions.select_related("module"), pk=pk)
    present = set(Attendance.objects.filter(session=current).values_list("registration_id", flat=True))
    rows = [{"registration": r, "present": r.pk in present} for r in _participants(week).order_by("person__full_name")]
    context = {"week": week, "session": current, "rows": rows, "present_count": len(present)}
    return render(request, "training/checkin_session.html", context)


@login_required
@require_POST
def toggle(request, slug, pk, registration_pk):
    week = week_for(request, slug, permissions.can_check_in)
    current = get_object_or_404(week.sessions, pk=pk)
    registration = get_object_or_404(_participants(week), pk=registration_pk)
    present = request.POST.get("present") == "1"
    try:
        services.set_attendance(session=current, registration=registration, present=present, by=request.user)
    except ValidationError:
        raise Http404 from None
    if request.headers.get("HX-Request"):
        row = {"registration": registration, "present": present}
        return render(request, "training/_checkin_toggle.html", {"week": week, "session": current, "row": row})
    return redirect("training:checkin-session", slug=week.slug, pk=current.pk)
