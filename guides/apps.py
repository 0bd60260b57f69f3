from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidesConfig(AppConfig):
    name = "guides"
    verbose_name = _("Guides")

    def ready(self):
        from .impact import register_impact_figures

        register_impact_figures()
        from . import api  # noqa: F401 - registers the viewsets on the core's router

        self.ready_country_guides()
        self.ready_resources()

    def ready_country_guides(self):
        from consortium.registry import (
            register_api_scope,
            register_demo_seeder,
            register_notification_kind,
            register_privacy_provider,
        )

        from .demo import seed_demo_guides
        from .services.guide_privacy import erase_guides_data, export_guides_data

        register_api_scope("guides:read", _("Read the country guides"))
        register_demo_seeder(seed_demo_guides)
        register_privacy_provider("guides", export=export_guides_data, erase=erase_guides_data)
        from consortium.registry import register_digest_provider

        from .digest import updated_guides

        register_digest_provider("guides.updated", _("Country guides updated"), updated_guides, order=50)
        # About the recipient's duty as a guide's maintainer, or their own drafts: always sent.
        register_notification_kind(
            "guides.draft_submitted",
            _("Guide drafts waiting for your review"),
            template="guides/notifications/draft_submitted.txt",
            transactional=True,
        )
        register_notification_kind(
            "guides.draft_approved",
            _("Your guide drafts published"),
            template="guides/notifications/draft_approved.txt",
            transactional=True,
        )
        register_notification_kind(
            "guides.draft_sent_back",
            _("Your guide drafts sent back"),
            template="guides/notifications/draft_sent_back.txt",
            transactional=True,
        )
        register_notification_kind(
            "guides.sections_stale",
            _("Guide sections due for review"),
            template="guides/notifications/sections_stale.txt",
            transactional=True,
        )
        register_notification_kind(
            "guides.editor_added",
            _("Guides you were invited to edit"),
            template="guides/notifications/editor_added.txt",
            transactional=True,
        )

    def ready_resources(self):
        from consortium.registry import register_api_scope, register_demo_seeder, register_privacy_provider

        from .demo import seed_demo_resources
        from .services.resources import erase_resource_data, export_resource_data

        # Member systems read what their students may: resources for students, or for students and staff.
        register_api_scope("resources:read", _("Read the resource library's resources for students"))
        register_demo_seeder(seed_demo_resources)
        register_privacy_provider("resources", export=export_resource_data, erase=erase_resource_data)
