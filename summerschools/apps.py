from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SummerschoolsConfig(AppConfig):
    name = "summerschools"
    verbose_name = _("Summer schools")

    def ready(self):
        from .impact import register_impact_figures

        register_impact_figures()
        from consortium.registry import (
            register_api_scope,
            register_demo_seeder,
            register_notification_kind,
            register_privacy_provider,
            register_seat_handler,
        )

        from . import api  # noqa: F401 - registers the viewsets on the core's router
        from .demo import seed_demo_summerschools
        from .privacy import erase_summerschool_data, export_summerschool_data
        from .services.selection import SEAT_KIND, handle_seat_event

        # Training weeks register the same scope with the same label.
        register_api_scope("events:read", _("Read training weeks and summer schools"))
        register_api_scope("summerschools:applications", _("Read the institution's summer school applications"))
        register_api_scope("summerschools:teams", _("Read the teams of the summer schools the institution organises"))
        register_seat_handler(SEAT_KIND, handle_seat_event)
        register_demo_seeder(seed_demo_summerschools)
        # An invitation, not news about something the student did: they may turn it off.
        register_notification_kind(
            "summerschools.alumni_invitation",
            _("Invitations to the summer school alumni directory"),
            template="summerschools/alumni/invitation.txt",
            transactional=False,
        )
        register_privacy_provider("summerschools", export=export_summerschool_data, erase=erase_summerschool_data)
        from consortium.registry import register_digest_provider

        from .digest import open_calls

        register_digest_provider("summerschools.calls", _("Summer schools open for applications"), open_calls, order=25)
        # The participant's certificate, once the organisers record completion: always sent.
        register_notification_kind(
            "summerschools.certificate",
            _("Your summer school certificate"),
            template="summerschools/notifications/certificate.txt",
            transactional=True,
        )
        # About the student's own application: always sent.
        register_notification_kind(
            "summerschools.application_status",
            _("News about your summer school applications"),
            template="summerschools/notifications/application_status.txt",
            transactional=True,
        )
        # The team a confirmed participant works in: part of taking part, so always sent.
        register_notification_kind(
            "summerschools.team",
            _("Your summer school team"),
            template="summerschools/teams/notification.txt",
            transactional=True,
        )
