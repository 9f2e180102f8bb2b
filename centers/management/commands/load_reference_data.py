from django.core.management.base import BaseCommand

from centers.services import reference_data_load


class Command(BaseCommand):
    help = "Lädt Gebietskörperschaften, Schulämter und die 54 Kommunalen Integrationszentren (idempotent)."

    def handle(self, *args, **options):
        result = reference_data_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Gebietskörperschaften: {result.municipalities}, "
                f"Schulämter: {result.school_authorities}, Zentren: {result.centers}"
            )
        )
