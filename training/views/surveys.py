"""The week's evaluation survey: the host opens it and reads its results, with earlier weeks' beside."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.models import Survey
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
    # This week beside the editions before it across the consortium that had a survey of the same
    # questionnaire (weeks without one would only take up places in the comparison).
    with_survey = Survey.objects.filter(
        questionnaire=survey.questionnaire, event_type=ContentType.objects.get_for_model(TrainingWeek)
    ).values("event_id")
    earlier = (
        TrainingWeek.objects.filter(starts_on__lte=week.starts_on, pk__in=with_survey)
        .exclude(pk=week.pk)
        .order_by("-starts_on", "-pk")
    )
    weeks = [*reversed(earlier[: COMPARED_EDITIONS - 1]), week]
    context = {
        "week": week,
        "results": survey_service.survey_results(survey),
        "comparison": survey_service.questionnaire_comparison(survey.questionnaire, weeks),
    }
    return render(request, "training/survey_results.html", context)
