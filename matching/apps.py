from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")

    def ready(self):
        from .impact import register_impact_figures

        register_impact_figures()
        from consortium.registry import register_demo_seeder, register_notification_kind, register_privacy_provider

        from . import api  # noqa: F401 - registers the viewsets on the core's router
        from .demo import seed_demo_matching
        from .privacy import erase_matching_data, export_matching_data

        register_demo_seeder(seed_demo_matching)
        register_privacy_provider("matching", export=export_matching_data, erase=erase_matching_data)
        from consortium.registry import register_digest_interests, register_digest_provider

        from .digest import people_to_meet, profile_interests

        register_digest_interests(profile_interests)
        register_digest_provider("matching.people", _("People to meet"), people_to_meet, order=60)
        # About introductions the person asked for or was asked for, in a network they joined: always sent.
        for name, label in (
            ("introduction_requested", _("Requests for an introduction to you")),
            ("introduction_reminder", _("Reminders of introduction requests waiting for you")),
            ("introduction_accepted", _("Your introduction requests accepted")),
            ("introduction_declined", _("Your introduction requests declined")),
            ("introduction_expired", _("Your introduction requests that expired")),
            ("message", _("Messages from people you were introduced to")),
            ("offer_expiring", _("Your cooperation offers about to expire")),
            ("user_reported", _("Reports of people in matching (consortium admins)")),
        ):
            register_notification_kind(
                f"matching.{name}", label, template=f"matching/notifications/{name}.txt", transactional=True
            )
