from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SummerschoolsConfig(AppConfig):
    name = "summerschools"
    verbose_name = _("Summer schools")
