"""Error pages: HTML for people, problem details for the API, whichever the path asks for."""

from http import HTTPStatus

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.views import defaults

from ..api.framework import PROBLEM_CONTENT_TYPE


def _problem(status: HTTPStatus, detail: str) -> JsonResponse:
    body = {"type": "about:blank", "title": status.phrase, "status": status.value, "detail": detail}
    return JsonResponse(body, status=status.value, content_type=PROBLEM_CONTENT_TYPE)


def page_not_found(request, exception):
    if request.path.startswith("/api/"):
        return _problem(HTTPStatus.NOT_FOUND, "No such endpoint or object.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return _problem(HTTPStatus.INTERNAL_SERVER_ERROR, "The server failed; the error has been logged.")
    return defaults.server_error(request)


def request_too_large(request):
    """The answer to a body over REQUEST_MAX_BYTES (see RequestSizeLimitMiddleware)."""
    limit = filesizeformat(settings.REQUEST_MAX_BYTES)
    if request.path.startswith("/api/"):
        return _problem(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"The request body is larger than {limit}.")
    return render(request, "413.html", {"limit": limit}, status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
