from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Jobs")

    def ready(self):
        from .impact import register_impact_figures

        register_impact_figures()
        from consortium.registry import (
            register_api_scope,
            register_company_section,
            register_demo_seeder,
            register_notification_kind,
            register_privacy_provider,
            register_webhook_event,
        )

        from . import api  # noqa: F401 - registers the viewsets on the core's router
        from .demo import seed_demo_jobs
        from .privacy import erase_jobs_data, export_jobs_data
        from .views.companies import company_jobs_section

        register_api_scope("jobs:read", _("Read the job board"))
        register_api_scope("jobs:write", _("Post, update and close the institution's jobs"))
        register_webhook_event("job.published", _("A job was published"))
        register_webhook_event("job.updated", _("A published job changed"))
        register_webhook_event("job.closed", _("A job was closed"))
        register_demo_seeder(seed_demo_jobs)
        register_company_section(company_jobs_section)
        # Approval of pending offers: about the recipient's own job or their duty to approve.
        register_notification_kind(
            "job.submitted",
            _("Offers waiting for your approval"),
            template="jobs/notifications/submitted.txt",
            transactional=True,
        )
        register_notification_kind(
            "job.approved", _("Your offers approved"), template="jobs/notifications/approved.txt", transactional=True
        )
        register_notification_kind(
            "job.rejected", _("Your offers sent back"), template="jobs/notifications/rejected.txt", transactional=True
        )
        # About the poster's own offers: always sent.
        register_notification_kind(
            "job.expired", _("Your offers that expired"), template="jobs/notifications/expired.txt", transactional=True
        )
        register_notification_kind(
            "job.deadline_soon",
            _("Your offers about to close"),
            template="jobs/notifications/deadline_soon.txt",
            transactional=True,
        )
        register_notification_kind(
            "job.possible_duplicate",
            _("Offers that may be published twice"),
            template="jobs/notifications/possible_duplicate.txt",
            transactional=True,
        )
        # Alerts of a person's saved searches: optional, so students get them by e-mail only after opting in.
        register_notification_kind(
            "job.alert",
            _("New offers for your saved searches"),
            template="jobs/notifications/alert.txt",
            transactional=False,
        )
        # About the recipient's own offers and applications: always sent.
        register_notification_kind(
            "job.application_received",
            _("Applications to your offers"),
            template="jobs/notifications/application_received.txt",
            transactional=True,
        )
        register_notification_kind(
            "job.application_withdrawn",
            _("Applications withdrawn from your offers"),
            template="jobs/notifications/application_withdrawn.txt",
            transactional=True,
        )
        register_notification_kind(
            "job.application_status",
            _("News about your applications"),
            template="jobs/notifications/application_status.txt",
            transactional=True,
        )
        register_notification_kind(
            "job.reported",
            _("Reports of your institution's offers"),
            template="jobs/notifications/reported.txt",
            transactional=True,
        )
        register_privacy_provider("jobs", export=export_jobs_data, erase=erase_jobs_data)
        from consortium.registry import register_digest_provider

        from .digest import new_jobs

        register_digest_provider("jobs.new", _("New jobs for you"), new_jobs, order=10)
