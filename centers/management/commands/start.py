"""One command for a fresh clone: database, reference and demo data, server."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Richtet die Datenbank ein (migrate, Referenzdaten, Demodaten) und startet "
        "den Entwicklungsserver auf http://127.0.0.1:8000."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-serve", action="store_true", help="Nur einrichten, keinen Server starten."
        )

    def handle(self, *args, addrport, no_serve, **options):
        call_command("migrate", interactive=False, verbosity=1)
        call_command("load_reference_data")
        call_command("seed_demo")
        _recover_jobs()
        if not no_serve:
            call_command("runserver", addrport, use_reloader=False)


def _recover_jobs() -> None:
    """The embedded default has no worker and no beat: jobs run in this process. What the
    last run left (a mail not handed over, an import or report cut off by a crash or
    Ctrl+C) is taken over now — every job still marked as running, since the process
    that ran it is gone (centers.jobs)."""
    import datetime

    from kiportal.celery import app

    from ... import jobs

    if app.conf.task_always_eager:
        jobs.sweep(stale_after=datetime.timedelta(0))
