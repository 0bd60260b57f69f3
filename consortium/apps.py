from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsortiumConfig(AppConfig):
    name = "consortium"
    verbose_name = _("Consortium")

    def ready(self):
        from .impact import register_impact_figures

        register_impact_figures()
        from . import digest, privacy
        from .api import support  # noqa: F401 - registers the support desk's viewset on the router
        from .registry import (
            register_api_scope,
            register_digest_provider,
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
        # Support desk service levels and handovers: about the recipient's own work, so always sent.
        register_notification_kind(
            "support.reminder",
            _("Support requests waiting for your first response"),
            template="consortium/notifications/support_sla_reminder.txt",
            transactional=True,
        )
        register_notification_kind(
            "support.breach",
            _("Support requests past their response deadline"),
            template="consortium/notifications/support_sla_breach.txt",
            transactional=True,
        )
        register_notification_kind(
            "support.handover",
            _("Support requests handed over to or from you"),
            template="consortium/notifications/support_handover.txt",
            transactional=True,
        )
        # The support desk's workflow: each step concerns the recipient's own request or desk.
        for name, label in (
            ("received", _("Support requests sent to you or your institution")),
            ("shared_queue", _("Support requests for countries without a member")),
            ("claimed", _("Your support requests taken up by a partner")),
            ("message", _("Answers, replies and notes on your support requests")),
            ("resolved", _("Support requests you answered marked resolved")),
            ("reopened", _("Support requests reopened by the requester")),
            ("closed", _("Support requests closed for lack of a reaction")),
        ):
            register_notification_kind(
                f"support.{name}",
                label,
                template=f"consortium/notifications/support_{name}.txt",
                transactional=True,
            )
        # Evaluation surveys: the invitation and its one reminder concern the person's own
        # participation in an event, so they are transactional.
        register_notification_kind(
            "survey.invitation",
            _("Evaluation surveys of events you took part in"),
            template="consortium/notifications/survey_invitation.txt",
            transactional=True,
        )
        register_notification_kind(
            "survey.reminder",
            _("Reminders of evaluation surveys you have not answered"),
            template="consortium/notifications/survey_reminder.txt",
            transactional=True,
        )
        # The weekly digest: optional, so staff get it unless they opt out and students only once they opt in.
        register_notification_kind(
            "digest.weekly", _("Weekly digest of the consortium"), template="emails/digest.txt", transactional=False
        )
        register_digest_provider(
            "support.waiting",
            _("Support requests waiting on your institution"),
            digest.waiting_support_requests,
            order=40,
        )
        register_digest_provider(
            "support.articles", _("New knowledge base articles"), digest.new_knowledge_articles, order=45
        )
        register_webhook_event("liaison.nominated", _("An institution nominated a new liaison officer"))
        register_webhook_event("support_request.answered", _("A partner answered a support request of yours"))
        register_privacy_provider("account", export=privacy.export_account, erase=privacy.erase_account)
        register_privacy_provider(
            "notifications", export=privacy.export_notifications, erase=privacy.erase_notifications
        )
        register_privacy_provider("staff_work", export=privacy.export_staff_work, erase=privacy.erase_staff_work)
        register_privacy_provider("seats", export=privacy.export_seats, erase=privacy.erase_seats)
        register_privacy_provider("surveys", export=privacy.export_surveys, erase=privacy.erase_surveys)
