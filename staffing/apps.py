from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "staffing"
    verbose_name = _("Personal")

    def ready(self):
        from centers import jobs

        from . import (
            imports,
            workflows,  # noqa: F401 - registers the declared transitions
        )

        # Crash recovery (centers.jobs): the imports' part of the periodic sweep.
        jobs.register("imports", imports.import_jobs_sweep)
