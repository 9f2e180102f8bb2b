"""Demo data for every app, in dependency order.

Each app may have a ``demo`` module with ``seed(*, scale, stdout)``; later
issues add theirs and this command picks them up.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

PROJECT_APPS = ("centers", "staffing", "deployment", "reporting")


class Command(BaseCommand):
    help = "Legt deterministische, fiktive Demodaten für alle 54 Zentren an (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Vervielfacht die Daten je Zentrum (für Benchmarks und Abfragezählungen).",
        )

    def handle(self, *args, scale, **options):
        if scale < 1:
            self.stderr.write("--scale muss mindestens 1 sein.")
            raise SystemExit(2)
        call_command("load_reference_data", stdout=self.stdout)
        for label in PROJECT_APPS:
            config = apps.get_app_config(label)
            module_name = f"{config.name}.demo"
            if find_spec(module_name) is None:
                continue
            # Demo workflows trigger notifications; fictitious people get no mail.
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
                transaction.atomic(),
            ):
                result = import_module(module_name).seed(scale=scale, stdout=self.stdout)
            self.stdout.write(self.style.SUCCESS(f"Demodaten {config.verbose_name}: {result}"))
