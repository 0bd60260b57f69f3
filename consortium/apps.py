from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsortiumConfig(AppConfig):
    name = "consortium"
    verbose_name = _("Consortium")

    def ready(self):
        from .registry import register_api_scope

        register_api_scope("companies:write", _("Add companies to the shared network"))
