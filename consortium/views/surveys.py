"""Answering an evaluation survey. Only its participants see it (everyone else gets 404); the
results are partials (consortium/surveys/results.html, comparison.html) that the event's app
includes in its own pages, deciding who sees them."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from ..forms import SurveyAnswerForm, form_errors
from ..models import Survey
from ..services import surveys


@login_required
def survey_answer(request, pk):
    """The form while the survey is open and unanswered; otherwise a page saying why not (not open
    yet, closed) or thanking the person (answered)."""
    survey = get_object_or_404(Survey.objects.visible_to(request.user).select_related("questionnaire"), pk=pk)
    questions = survey.questionnaire.questions.all()
    state = surveys.answering_state(survey, request.user)
    form = SurveyAnswerForm(request.POST if request.method == "POST" else None, questions=questions)
    if state == "open" and request.method == "POST" and form.is_valid():
        try:
            surveys.submit_survey_response(survey=survey, user=request.user, answers=form.answers())
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                form_errors(form, error)
            else:  # closed or answered meanwhile: the page says so
                state = surveys.answering_state(survey, request.user)
        else:
            return redirect(survey)
    return render(request, "consortium/surveys/answer.html", {"survey": survey, "form": form, "state": state})
