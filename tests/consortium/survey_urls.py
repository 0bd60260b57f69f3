"""The site's URLs plus one test-only page that shows a survey's results partial, as an event's
page would include it; used by the browser test of tests/consortium/test_surveys.py."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.urls import path

from consortium.models import Survey
from consortium.services.surveys import survey_results
from consortium.urls import handler404, handler500  # noqa: F401
from consortium.urls import urlpatterns as site_patterns

PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<h1 class="h3">{{ survey.title }}</h1>'
    '{% include "consortium/surveys/results.html" %}{% endblock %}'
)


def results_page(request, pk):
    survey = get_object_or_404(Survey, pk=pk)
    return HttpResponse(PAGE.render({"survey": survey, "results": survey_results(survey)}, request))


urlpatterns = [path("test-survey-results/<int:pk>/", results_page), *site_patterns]
