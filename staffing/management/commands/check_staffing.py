"""``manage.py check_staffing [--center KEY ...]``: stored violations of the capacity rules.

Prints one line per violation (centre key and name, message) and a summary line; exits
with status 1 when there is any, so monitoring can run it. Nothing is changed: the
operator repairs the listed posts and people on their pages (or in the admin).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from centers.models import Center
from staffing.checks import stored_violations


class Command(BaseCommand):
    help = (
        "Listet gespeicherte Verstöße gegen die Stellenregeln: Stellen über ihren "
        "Stellenanteil hinaus besetzt, Personen mit mehr als 1,00 VZÄ."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--center",
            action="append",
            metavar="SCHLÜSSEL",
            help="Nur dieses Zentrum prüfen (Schlüssel, z. B. 05315); mehrfach möglich.",
        )

    def handle(self, *args, center=None, **options):
        with translation.override("de"):
            self._check(center)

    def _check(self, keys):
        center_ids = None
        if keys:
            found = dict(Center.objects.filter(key__in=keys).values_list("key", "pk"))
            unknown = sorted(set(keys) - set(found))
            if unknown:
                raise CommandError(f"Unbekanntes Zentrum: {', '.join(unknown)}")
            center_ids = list(found.values())
        violations = stored_violations(center_ids=center_ids)
        for v in violations:
            self.stdout.write(f"{v.center.key} {v.center.name}: {v.message}")
        if not violations:
            self.stdout.write("Keine Verstöße gefunden.")
            return
        n, centers = len(violations), len({v.center.pk for v in violations})
        self.stdout.write(
            f"{n} {'Verstoß' if n == 1 else 'Verstöße'} "
            f"in {centers} {'Zentrum' if centers == 1 else 'Zentren'}"
        )
        raise SystemExit(1)
