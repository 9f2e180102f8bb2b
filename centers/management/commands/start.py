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
        if not no_serve:
            call_command("runserver", addrport, use_reloader=False)
