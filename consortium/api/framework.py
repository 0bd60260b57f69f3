"""The machinery every app's API shares: errors, API-key authentication, scopes, throttles, sync.

Every endpoint answers errors as RFC 9457 problem details, lists with a cursor and an
`updated_since` filter, and accepts at most API_MAX_BODY_BYTES of JSON with no unknown fields.
"""

import base64
import binascii
import datetime
from collections.abc import Mapping
from http import HTTPStatus

import django_filters
import orjson
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, serializers, throttling
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import BasePagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.utils import encoders
from rest_framework.utils.urls import replace_query_param

from ..access import has_scope
from ..forms import FilterSet
from ..models import ApiClient, ApiKey

PROBLEM_CONTENT_TYPE = "application/problem+json"
# last_used_at is written at most this often per key, not on every request.
LAST_USED_RESOLUTION_SECONDS = 60


# Errors


def field_errors(detail, prefix="") -> list[dict]:
    """Flatten DRF's nested error structure into [{"field": "a.0.b", "message": "…"}]."""
    if isinstance(detail, Mapping):
        errors = []
        for key, value in detail.items():
            field = prefix if key == api_settings.NON_FIELD_ERRORS_KEY else f"{prefix}.{key}" if prefix else str(key)
            errors += field_errors(value, field)
        return errors
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [{"field": prefix or None, "message": str(item)} for item in detail]
        errors = []
        for index, item in enumerate(detail):
            errors += field_errors(item, f"{prefix}.{index}" if prefix else str(index))
        return errors
    return [{"field": prefix or None, "message": str(detail)}]


def problem_exception_handler(exc, context):
    """DRF's handler, with the services' Django exceptions mapped and every answer a problem document."""
    # Imported here: this module is loaded while rest_framework.views itself is importing.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(serializers.as_serializer_error(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*(exc.args or ()))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()  # past DATA_UPLOAD_MAX_MEMORY_SIZE, Django refuses the body before any parser
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    status = HTTPStatus(response.status_code)
    problem = {"type": "about:blank", "title": status.phrase, "status": status.value}
    if isinstance(exc, exceptions.ValidationError):
        problem["detail"] = str(_("The request has invalid fields."))
        problem["errors"] = field_errors(exc.detail)
    else:
        detail = getattr(exc, "detail", status.description)
        problem["detail"] = (
            " ".join(m["message"] for m in field_errors(detail)) if not isinstance(detail, str) else detail
        )
    response.data = problem
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _("The request body is larger than the limit.")
    default_code = "payload_too_large"


class LimitedJSONParser(JSONParser):
    """JSON with a size limit checked before anything is read."""

    max_bytes: int | None = None  # API_MAX_BODY_BYTES, unless a bulk endpoint needs more

    def parse(self, stream, media_type=None, parser_context=None):
        request = parser_context["request"]
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise exceptions.ParseError(_("Content-Length is not a number.")) from None
        if length > (self.max_bytes or settings.API_MAX_BODY_BYTES):
            raise PayloadTooLarge()
        return super().parse(stream, media_type, parser_context)


class FastJSONRenderer(JSONRenderer):
    """DRF's JSON, written by orjson: the standard library's encoder took a tenth of the time of a page of
    100 jobs. What orjson does not write itself (lazy translations, decimals, and dates and times, which DRF
    writes its own way) goes through DRF's encoder, so strings, numbers, dates and decimals come out as DRF
    writes them; orjson writes a float in its shortest form (0.00001 for DRF's 1e-05) and a NaN as null.
    Indented output, and anything orjson refuses (an integer beyond 64 bits), is left to DRF."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is not None and self.get_indent(accepted_media_type, renderer_context or {}) is None:
            try:
                text = orjson.dumps(data, default=_DRF_ENCODER.default, option=_ORJSON_OPTIONS)
            except orjson.JSONEncodeError:
                pass
            else:
                # As DRF does: U+2028 and U+2029 escaped, so that the JSON is valid JavaScript too.
                return text.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")
        return super().render(data, accepted_media_type, renderer_context)


_DRF_ENCODER = encoders.JSONEncoder()
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_LINE_SEPARATOR, _PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


# Authentication and scopes


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Api-Key <key>`. The request then acts as the key's institution (ApiClient)."""

    keyword = "Api-Key"

    def authenticate(self, request):
        from ..services import api_key_for

        header = get_authorization_header(request).decode("latin-1")
        keyword, _space, raw = header.partition(" ")
        if keyword != self.keyword:
            return None
        api_key = api_key_for(raw.strip())
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("Unknown or revoked API key."))
        now = timezone.now()
        if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        return ApiClient(api_key), api_key

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`, with a key a partner admin created for the institution.",
        }


class HasScope(BasePermission):
    """A request made with an API key needs the view's read_scope or write_scope; people are
    judged by the services' own predicates."""

    message = _("This API key does not have the scope this request needs.")

    def has_permission(self, request, view):
        if not isinstance(request.user, ApiClient) or request.method not in view.allowed_methods:
            return True  # people are judged by the services; unknown methods get their 405
        if request.method in SAFE_METHODS:
            scope = getattr(view, "read_scope", None)
            return scope is None or has_scope(request.user, scope)
        # A view that declares no write scope takes no writes from keys.
        scope = getattr(view, "write_scope", None)
        return scope is not None and has_scope(request.user, scope)


class WindowRateThrottle(SimpleRateThrottle):
    """At most `rate` requests per window (a minute, for "1200/min"), counted with one increment.

    DRF's throttle keeps the time of every request of the last window and reads and writes that whole list
    on each request: at 1,200 a minute, a millisecond of every busy client's calls. A fixed window lets a
    client send up to twice the rate across a window's end, which a limit against runaway systems allows.
    """

    def allow_request(self, request, view):
        if self.rate is None or (key := self.get_cache_key(request, view)) is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        key = f"{key}:{window}"
        try:
            count = self.cache.incr(key)
        except ValueError:  # the window's first request
            count = 1 if self.cache.add(key, 1, self.duration) else self.cache.incr(key)
        return count <= self.num_requests

    def wait(self):
        return max(self.window_ends - self.now, 1)


class AnonRateThrottle(WindowRateThrottle, throttling.AnonRateThrottle):
    """Requests without credentials, counted per client address."""


class ApiKeyRateThrottle(WindowRateThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        if isinstance(request.user, ApiClient):
            return self.cache_format % {"scope": self.scope, "ident": request.user.api_key.pk}
        return None


class UserRateThrottle(WindowRateThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        if request.user.is_authenticated and not isinstance(request.user, ApiClient):
            return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
        return None


# Lists that sync


class SyncCursorPagination(BasePagination):
    """Keyset pages in (updated_at, id) order, so that a client can resume a sync from its last cursor.

    Rows changed in the last SYNC_SETTLE_SECONDS are held back: a row is stamped when saved but seen
    when its transaction commits, and without the wait a sync could step past a row committed late.
    """

    page_size = 50
    max_page_size = 500
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    invalid_cursor_message = _("Invalid cursor. Use the next link of an earlier page.")

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        settled = timezone.now() - datetime.timedelta(seconds=settings.SYNC_SETTLE_SECONDS)
        queryset = queryset.filter(updated_at__lte=settled).order_by("updated_at", "pk")
        if raw := request.query_params.get(self.cursor_query_param):
            updated_at, pk = self.decode_cursor(raw)
            queryset = queryset.filter(Q(updated_at__gt=updated_at) | Q(updated_at=updated_at, pk__gt=pk))
        rows = list(queryset[: size + 1])
        self.next_cursor = self.encode_cursor(rows[size - 1]) if len(rows) > size else None
        return rows[:size]

    def get_page_size(self, request):
        try:
            size = int(request.query_params.get(self.page_size_query_param, self.page_size))
        except ValueError:
            return self.page_size
        return min(max(size, 1), self.max_page_size)

    def encode_cursor(self, row) -> str:
        """From a model instance, or a dict of values() (a list that writes its rows out by hand)."""
        updated_at, pk = (row["updated_at"], row["id"]) if isinstance(row, Mapping) else (row.updated_at, row.pk)
        return base64.urlsafe_b64encode(f"{updated_at.isoformat()}|{pk}".encode()).decode()

    def decode_cursor(self, raw: str) -> tuple[datetime.datetime, int]:
        try:
            stamp, pk = base64.urlsafe_b64decode(raw.encode()).decode().split("|")
            updated_at = datetime.datetime.fromisoformat(stamp)
            if updated_at.tzinfo is None:
                raise ValueError
            return updated_at, int(pk)
        except (ValueError, UnicodeError, binascii.Error):
            raise exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from None

    def get_paginated_response(self, data):
        next_url = None
        if self.next_cursor:
            next_url = replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, self.next_cursor)
        return Response({"next": next_url, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "The cursor from the `next` link of the previous page.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Rows per page, 1 to {self.max_page_size}.",
                "schema": {"type": "integer"},
            },
        ]


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """Any valid ISO 8601 offset, compared in UTC (PostgreSQL refuses offsets beyond ±15:59)."""

    def filter(self, qs, value):
        return super().filter(qs, value.astimezone(datetime.UTC) if value else value)


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, building the filter form only for a request that names a filter: the form and
    its fields are deep-copied for every request, a millisecond that a plain sync page need not pay."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not any(name in request.query_params for name in filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)


class SyncFilterSet(FilterSet):
    updated_since = UtcDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Only rows changed at or after this ISO 8601 time, for incremental sync."),
    )


# Input


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, instead of silently dropping them."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            if unknown := sorted(set(data) - writable):
                raise exceptions.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer):
    pass


# Schema

PROBLEM_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string", "nullable": True}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    "required": ["type", "title", "status"],
}
PROBLEM_STATUSES = {
    "400": "The request is malformed or has invalid fields (see `errors`).",
    "401": "No credentials, or an unknown or revoked API key.",
    "403": "Authenticated, but not allowed (a key without the scope, a role without the right).",
    "404": "No such object, or one of another institution.",
    "413": "The body is larger than the limit (1 MiB).",
    "415": "The body is not JSON.",
    "429": "Too many requests; retry after the number of seconds in `Retry-After`.",
}


def add_problem_responses(result, generator, request, public):
    """Document the problem-details answers every operation can give."""
    result["components"]["schemas"]["Problem"] = PROBLEM_SCHEMA
    reference = {"$ref": "#/components/schemas/Problem"}
    for path in result["paths"].values():
        for method, operation in path.items():
            for status, description in PROBLEM_STATUSES.items():
                if status in ("413", "415") and method not in ("post", "put", "patch"):
                    continue
                operation["responses"].setdefault(
                    status, {"description": description, "content": {PROBLEM_CONTENT_TYPE: {"schema": reference}}}
                )
    return result
