"""The inbox, notification preferences, and the unsubscribe link that works without signing in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..models import Channel, Notification
from ..services import notifications as service

INBOX_PAGE_SIZE = 30


@login_required
def inbox(request):
    entries = Notification.objects.visible_to(request.user).inbox()
    page = Paginator(entries, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "consortium/notification_list.html", {"page": page})


@login_required
def unread_count(request):
    """The navigation badge, refreshed by HTMX."""
    count = Notification.objects.visible_to(request.user).inbox().unread().count()
    return render(request, "consortium/_unread_badge.html", {"unread_count": count})


@login_required
@require_POST
def mark_read(request, pk):
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    service.mark_read(notification=notification)
    if request.POST.get("open") and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("consortium:inbox")


@login_required
@require_POST
def mark_all_read(request):
    service.mark_all_read(user=request.user)
    return redirect("consortium:inbox")


@login_required
def preferences(request):
    rows = service.preference_rows(request.user)
    if request.method == "POST":
        choices = {
            row["kind"].name: {c for c in Channel.values if request.POST.get(f"{row['kind'].name}:{c}")}
            for row in rows
            if not row["kind"].transactional
        }
        service.set_notification_preferences(user=request.user, choices=choices)
        messages.success(request, _("Your notification settings were saved."))
        return redirect("consortium:notification-preferences")
    return render(request, "consortium/notification_preferences.html", {"rows": rows, "channels": Channel.choices})


@csrf_exempt  # RFC 8058: mail clients POST here with no session and no token but the signed link.
def unsubscribe(request, token):
    try:
        user, kind = service.unsubscribe_target(token)
    except ValidationError as error:
        return render(request, "consortium/unsubscribe.html", {"error": error.messages[0]}, status=400)
    done = False
    if request.method == "POST":
        try:
            service.unsubscribe(token=token)
            done = True
        except ValidationError as error:
            return render(request, "consortium/unsubscribe.html", {"error": error.messages[0]}, status=400)
    # The page names the kind only: a forwarded link must not reveal whose address it was.
    return render(request, "consortium/unsubscribe.html", {"kind": kind, "done": done})
