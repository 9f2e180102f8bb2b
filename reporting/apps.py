from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting"
    verbose_name = _("Berichte")

    def ready(self):
        from . import workflows  # noqa: F401 - registers the declared transitions
        from .funding import workflows as funding_workflows  # noqa: F401
