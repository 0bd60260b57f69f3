from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

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
        from .demo import seed_demo_training
        from .privacy import erase_training_data, export_training_data
        from .services import SEAT_KIND, handle_seat_event

        # Summer schools register the same scope with the same label.
        register_api_scope("events:read", _("Read training weeks and summer schools"))
        register_api_scope("training:registrations", _("Read the institution's registrations for training weeks"))
        register_seat_handler(SEAT_KIND, handle_seat_event)
        register_demo_seeder(seed_demo_training)
        register_privacy_provider("training", export=export_training_data, erase=erase_training_data)
        from consortium.registry import register_digest_provider

        from .digest import open_training_weeks

        register_digest_provider(
            "training.open", _("Training weeks open for registration"), open_training_weeks, order=20
        )
        # All about the recipient's own registration or their duty to approve: always sent.
        for name, label in [
            ("approval_needed", _("Training registrations awaiting your approval")),
            ("registration_status", _("News about your training registrations")),
            ("seat_offered", _("Training seats offered to you from the waitlist")),
            ("offer_expired", _("Training seat offers that lapsed")),
            ("week_cancelled", _("Training weeks cancelled")),
        ]:
            register_notification_kind(
                f"training.{name}", label, template=f"training/notifications/{name}.txt", transactional=True
            )
