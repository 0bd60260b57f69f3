from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SummerschoolsConfig(AppConfig):
    name = "summerschools"
    verbose_name = _("Summer schools")

    def ready(self):
        from consortium.registry import (
            register_api_scope,
            register_notification_kind,
            register_privacy_provider,
            register_seat_handler,
        )

        from . import api  # noqa: F401 - registers the viewsets on the core's router
        from .privacy import erase_summerschool_data, export_summerschool_data
        from .services.selection import SEAT_KIND, handle_seat_event

        # Training weeks register the same scope with the same label.
        register_api_scope("events:read", _("Read training weeks and summer schools"))
        register_api_scope("summerschools:applications", _("Read the institution's summer school applications"))
        register_seat_handler(SEAT_KIND, handle_seat_event)
        register_privacy_provider("summerschools", export=export_summerschool_data, erase=erase_summerschool_data)
        # About the student's own application: always sent.
        register_notification_kind(
            "summerschools.application_status",
            _("News about your summer school applications"),
            template="summerschools/notifications/application_status.txt",
            transactional=True,
        )
