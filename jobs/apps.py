from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Jobs")

    def ready(self):
        from consortium.registry import (
            register_api_scope,
            register_demo_seeder,
            register_notification_kind,
            register_webhook_event,
        )

        from . import api  # noqa: F401 - registers the viewsets on the core's router
        from .demo import seed_demo_jobs

        register_api_scope("jobs:read", _("Read the job board"))
        register_api_scope("jobs:write", _("Post, update and close the institution's jobs"))
        register_webhook_event("job.published", _("A job was published"))
        register_webhook_event("job.updated", _("A published job changed"))
        register_webhook_event("job.closed", _("A job was closed"))
        register_demo_seeder(seed_demo_jobs)
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
