"""Print the current TOTP code of every demo admin, so the seeded demo can be tried without a phone."""

import time

from allauth.mfa import app_settings
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Print the current two-factor codes of the demo accounts (development only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp runs only with DJANGO_DEBUG on.")
        now = int(time.time())
        counter = now // app_settings.TOTP_PERIOD
        remaining = app_settings.TOTP_PERIOD - now % app_settings.TOTP_PERIOD
        authenticators = Authenticator.objects.filter(type=Authenticator.Type.TOTP).select_related("user")
        for authenticator in authenticators.order_by("user__email"):
            secret = get_adapter().decrypt(authenticator.data["secret"])
            code = format_hotp_value(hotp_value(secret, counter))
            self.stdout.write(f"{authenticator.user.email:<42} {code}")
        self.stdout.write(f"(valid for another {remaining} s)")
