from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeploymentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "deployment"
    verbose_name = _("Einsatzmanagement")

    def ready(self):
        from . import workflows  # noqa: F401 - registers the declared transitions
