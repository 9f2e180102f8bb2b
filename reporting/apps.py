from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting"
    verbose_name = _("Berichte")

    def ready(self):
        from centers import jobs, outbox

        from . import (
            services,
            workflows,  # noqa: F401 - registers the declared transitions
        )
        from .funding import services as funding_services
        from .funding import workflows as funding_workflows  # noqa: F401

        # Crash recovery and the outbox (centers.jobs): the reports' part of the sweep.
        outbox.on_delivery(services.RENDER_TASK, services.enqueue_delivered)
        jobs.register("reports", services.reports_sweep)
        jobs.register("proofs_of_use", funding_services.proof_documents_sweep)
