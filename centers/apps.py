from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CentersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "centers"
    verbose_name = _("Zentren und Stammdaten")

    def ready(self):
        from . import (
            dataversion,
            workflows,  # noqa: F401 - registers the declared transitions
        )
        from .collation import register_sqlite_collation

        dataversion.install()

        # Every connection, also those that run migrations and tests: name columns are
        # declared with this collation and SQLite refuses to touch them without it.
        connection_created.connect(
            register_sqlite_collation, dispatch_uid="centers.register_sqlite_collation"
        )
        post_migrate.connect(_groups_follow_roles, sender=self, dispatch_uid="centers.groups")


def _groups_follow_roles(sender, using="default", **kwargs):
    """After every migrate the groups carry what ``ROLE_PERMISSIONS`` says, so a capability
    added in a release (e.g. ``submit_funding``) reaches existing centres' roles."""
    from .access import ensure_groups

    ensure_groups()
