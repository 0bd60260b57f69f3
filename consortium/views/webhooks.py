"""Webhook endpoints in the institution admin area, with every delivery attempt visible."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions
from ..forms import WebhookEndpointForm, form_errors
from ..models import WebhookAttempt, WebhookEndpoint
from ..registry import WEBHOOK_EVENTS
from ..services import webhooks as service
from .institutions import _institution_for

RECENT_DELIVERIES = 50


def _endpoint(request, slug, pk):
    institution = _institution_for(request, slug, permissions.can_manage_webhooks)
    endpoint = get_object_or_404(
        WebhookEndpoint.objects.visible_to(request.user).filter(institution=institution), pk=pk
    )
    return institution, endpoint


@login_required
def webhook_list(request, slug):
    institution = _institution_for(request, slug, permissions.can_manage_webhooks)
    form = WebhookEndpointForm(request.POST or None, institution=institution)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = service.save_webhook_endpoint(endpoint=form.instance, by=request.user)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Endpoint added. Verify the signature of each request with its secret."))
            return redirect("consortium:webhook-detail", slug=slug, pk=endpoint.pk)
    endpoints = WebhookEndpoint.objects.visible_to(request.user).filter(institution=institution)
    context = {"institution": institution, "endpoints": endpoints, "form": form, "events": WEBHOOK_EVENTS}
    return render(request, "consortium/webhook_list.html", context)


@login_required
def webhook_detail(request, slug, pk):
    institution, endpoint = _endpoint(request, slug, pk)
    form = WebhookEndpointForm(request.POST or None, instance=endpoint, institution=institution)
    if request.method == "POST" and form.is_valid():
        try:
            service.save_webhook_endpoint(endpoint=form.instance, by=request.user)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("consortium:webhook-detail", slug=slug, pk=pk)
    deliveries = endpoint.deliveries.prefetch_related(
        Prefetch("attempt_log", WebhookAttempt.objects.order_by("attempted_at"))
    )[:RECENT_DELIVERIES]
    context = {"institution": institution, "endpoint": endpoint, "form": form, "deliveries": deliveries}
    response = render(request, "consortium/webhook_detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def webhook_action(request, slug, pk, action):
    if action not in ("delete", "enable", "rotate"):
        raise Http404
    endpoint = _endpoint(request, slug, pk)[1]
    if action == "delete":
        service.delete_webhook_endpoint(endpoint=endpoint, by=request.user)
        messages.success(request, _("Endpoint removed."))
        return redirect("consortium:webhooks", slug=slug)
    if action == "enable":
        service.enable_webhook_endpoint(endpoint=endpoint, by=request.user)
        messages.success(request, _("Endpoint switched on again."))
    elif action == "rotate":
        service.rotate_webhook_secret(endpoint=endpoint, by=request.user)
        messages.success(request, _("New secret created. Update the receiving system now."))
    return redirect("consortium:webhook-detail", slug=slug, pk=pk)
