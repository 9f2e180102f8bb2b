"""``manage.py import_staffing PATH --user USERNAME [--dry-run]`` (DESIGN.md §6).

Prints one line per error (row, column, message) and the summary
``neu: N, geändert: N, unverändert: N, Fehler: N``; exits with status 1 when
any row has an error — then nothing is written.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from staffing import imports, spreadsheet


class Command(BaseCommand):
    help = "Importiert eine Personalliste (CSV oder XLSX) mit den Rechten eines Benutzers."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Pfad zur CSV- oder XLSX-Datei")
        parser.add_argument(
            "--user", required=True, help="Benutzername, mit dessen Rechten importiert wird"
        )
        parser.add_argument("--dry-run", action="store_true", help="Nur prüfen, nichts speichern")

    def handle(self, *args, path, user, dry_run, **options):
        try:
            account = get_user_model().objects.get(username=user, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"Unbekannter oder inaktiver Benutzer „{user}“.") from None
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"Datei kann nicht gelesen werden: {exc.strerror or exc}") from None
        result = imports.staffing_list_import(
            source=spreadsheet.iter_file(data), user=account, dry_run=dry_run
        )
        for message in result.file_errors:
            self.stdout.write(f"Datei: {message}")
        for row in result.error_rows:
            for column, message in row.errors:
                self.stdout.write(f"Zeile {row.number}, Spalte {column}: {message}")
        self.stdout.write(result.summary())
        if result.has_errors:
            raise SystemExit(1)
