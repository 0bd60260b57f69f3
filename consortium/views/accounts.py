"""A person's own account: joining by invitation, profile, language."""

from contextlib import suppress

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.i18n import set_language as django_set_language

from .. import services
from ..forms import (
    AcceptInvitationForm,
    ProfileForm,
)


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
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to the consortium, %(name)s.") % {"name": user.get_short_name()})
        return redirect("home")
    return render(request, "consortium/invitation_accept.html", {"invitation": invitation, "form": form})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
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
