import time
import zoneinfo
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .access import has_role, requires_mfa
from .models import STAFF_ROLES
from .views.errors import request_too_large

SESSION_STARTED = "staff_session_started"
SESSION_LAST_SEEN = "staff_session_last_seen"
# Writing the session on every request would cost a write per page; a minute's slack is enough.
LAST_SEEN_RESOLUTION = 60


class StaffSessionLimitMiddleware:
    """Staff sessions end 12 hours after sign-in or after 30 idle minutes, whichever comes first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and has_role(user, *STAFF_ROLES):
            now = time.time()
            started = request.session.setdefault(SESSION_STARTED, now)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            too_old = now - started > settings.STAFF_SESSION_MAX_AGE.total_seconds()
            idle = now - last_seen > settings.STAFF_SESSION_IDLE_TIMEOUT.total_seconds()
            if too_old or idle:
                logout(request)
                messages.info(request, _("Your session ended for security. Please sign in again."))
                return redirect(f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}")
            if now - last_seen >= LAST_SEEN_RESOLUTION or SESSION_LAST_SEEN not in request.session:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class UserPreferencesMiddleware:
    """A signed-in user's own language and time zone win over the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Refuses a request whose body is larger than REQUEST_MAX_BYTES before anything reads it.

    The CSRF check reads the body of every POST, signed in or not, and Django writes the files in it to
    disk whatever their size: without this, anyone could fill the disk with one request. Django reads no
    more of a body than its Content-Length says, so that header is the whole of the check.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body of unknown length
        if length > settings.REQUEST_MAX_BYTES:
            return request_too_large(request)
        return self.get_response(request)


class RequireMfaMiddleware:
    """Admins and back-office operators must set up an authenticator app before anything else.

    Until they have, only the pages needed to set one up (and to sign out) answer.
    """

    allowed_names = ("mfa_activate_totp", "account_reauthenticate", "account_logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            requires_mfa(user)
            and not request.path.startswith(settings.STATIC_URL)
            and request.path not in {reverse(name) for name in self.allowed_names}
            and not user.authenticator_set.filter(type="totp").exists()
        ):
            messages.warning(
                request,
                _("Your role requires two-factor authentication. Set up an authenticator app to continue."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
