"""A person's own account: joining by invitation, profile, language."""

from contextlib import suppress

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.i18n import set_language as django_set_language

from .. import services
from ..forms import AcceptInvitationForm, EraseAccountForm, ProfileForm, form_errors


def invitation_accept(request, token):
    try:
        invitation = services.invitation_from_token(token)
    except ValidationError as error:
        return render(request, "consortium/invitation_invalid.html", {"reason": error.messages[0]}, status=410)
    form = AcceptInvitationForm(
        request.POST or None, email=invitation.email, initial={"full_name": invitation.full_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                invitation=invitation, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password1"]
            )
        except ValidationError as error:
            return render(request, "consortium/invitation_invalid.html", {"reason": error.messages[0]}, status=410)
        login(request, user, backend="consortium.backends.ModelBackend")
        messages.success(request, _("Welcome to the consortium, %(name)s.") % {"name": user.get_short_name()})
        return redirect("home")
    return render(request, "consortium/invitation_accept.html", {"invitation": invitation, "form": form})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            services.set_spoken_languages(user=request.user, languages=form.cleaned_data["languages"])
        messages.success(request, _("Your profile was saved."))
        return redirect("consortium:profile")
    return render(request, "consortium/profile.html", {"form": form})


def set_language(request):
    """Django's language switch, remembered on the profile of a signed-in user."""
    response = django_set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        with suppress(ValidationError):
            services.set_preferred_language(user=request.user, language=request.POST.get("language", ""))
    return response


@login_required
def privacy(request):
    form = EraseAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.erase_account(user=request.user)
        except ValidationError as error:
            form_errors(form, error)
        else:
            logout(request)
            messages.success(request, _("Your account and your personal data were erased."))
            return redirect("home")
    return render(request, "consortium/privacy.html", {"form": form})


@login_required
def privacy_export(request):
    data = services.export_personal_data(user=request.user)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="my-data-{timezone.localdate():%Y-%m-%d}.json"'
    response["Cache-Control"] = "no-store"
    return response
