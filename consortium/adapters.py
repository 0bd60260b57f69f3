"""allauth customisation: who may sign up, and where a new account belongs."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.db import transaction

from .access import requires_mfa
from .models import Institution


class AccountAdapter(DefaultAccountAdapter):
    @transaction.atomic
    def save_user(self, request, user, form, commit=True):
        from .services import enrol_student

        user = super().save_user(request, user, form, commit=False)
        user.full_name = form.cleaned_data["full_name"]
        user.save()
        return enrol_student(user=user)


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator) -> bool:
        # Admins must keep their second factor; they may replace it, not drop it.
        if authenticator.type == authenticator.Type.TOTP and requires_mfa(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """University single sign-on: an OpenID Connect app whose provider id is an institution's slug.

    Accounts created this way are students of that institution.
    """

    def _institution(self, sociallogin) -> Institution | None:
        provider_id = sociallogin.account.provider
        return Institution.objects.active().filter(slug=provider_id).first()

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return self._institution(sociallogin) is not None

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        names = [data.get("first_name") or "", data.get("last_name") or ""]
        user.full_name = data.get("name") or " ".join(n for n in names if n) or user.email
        return user

    @transaction.atomic
    def save_user(self, request, sociallogin, form=None):
        from .services import enrol_student

        institution = self._institution(sociallogin)
        user = super().save_user(request, sociallogin, form)
        return enrol_student(user=user, institution=institution)
