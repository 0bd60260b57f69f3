from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsortiumConfig(AppConfig):
    name = "consortium"
    verbose_name = _("Consortium")

    def ready(self):
        from . import privacy
        from .registry import (
            register_api_scope,
            register_notification_kind,
            register_privacy_provider,
            register_webhook_event,
        )

        register_api_scope("companies:write", _("Add companies to the shared network"))
        register_notification_kind(
            "liaison.nominated",
            _("Liaison officer nominations"),
            template="consortium/notifications/liaison_nominated.txt",
            transactional=True,
        )
        register_notification_kind(
            "account.roles_changed",
            _("Changes to your roles"),
            template="consortium/notifications/roles_changed.txt",
            transactional=True,
        )
        register_notification_kind(
            "webhook.endpoint_disabled",
            _("Webhook endpoints switched off after failures"),
            template="consortium/notifications/webhook_disabled.txt",
            transactional=True,
        )
        # Officers must hear it before they post for the company again, so it is not optional.
        register_notification_kind(
            "company.flagged",
            _("Companies you work with flagged by a partner"),
            template="consortium/notifications/company_flagged.txt",
            transactional=True,
        )
        register_webhook_event("liaison.nominated", _("An institution nominated a new liaison officer"))
        register_privacy_provider("account", export=privacy.export_account, erase=privacy.erase_account)
        register_privacy_provider(
            "notifications", export=privacy.export_notifications, erase=privacy.erase_notifications
        )
        register_privacy_provider("staff_work", export=privacy.export_staff_work, erase=privacy.erase_staff_work)
