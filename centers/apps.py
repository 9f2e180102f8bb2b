from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CentersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "centers"
    verbose_name = _("Zentren und Stammdaten")

    def ready(self):
        from . import workflows  # noqa: F401 - registers the declared transitions
        from .collation import register_sqlite_collation

        # Every connection, also those that run migrations and tests: name columns are
        # declared with this collation and SQLite refuses to touch them without it.
        connection_created.connect(
            register_sqlite_collation, dispatch_uid="centers.register_sqlite_collation"
        )
