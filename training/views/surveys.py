"""The week's evaluation survey: the host opens it and reads its results, with earlier weeks' beside."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.services import surveys as survey_service

from .. import permissions, services
from ..models import TrainingWeek
from .weeks import week_for

COMPARED_EDITIONS = 6


@login_required
@require_POST
def open_survey(request, slug):
    week = week_for(request, slug, permissions.can_open_survey)
    try:
        services.open_survey(week=week, by=request.user, anonymous=request.POST.get("named") != "1")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The evaluation survey is open; the participants have been invited."))
    return redirect(week)


@login_required
def results(request, slug):
    week = week_for(request, slug, permissions.can_view_survey_results)
    survey = services.week_survey(week)
    if survey is None:
        raise Http404
    context = {
        "week": week,
        **survey_service.results_with_comparison(
            survey=survey,
            event=week,
            events=TrainingWeek.objects.all(),
            date_field="starts_on",
            limit=COMPARED_EDITIONS,
        ),
    }
    return render(request, "training/survey_results.html", context)
