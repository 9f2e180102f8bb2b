"""Optimistic locking: the second of two concurrent saves gets a conflict,
never a silent overwrite (DESIGN.md §5).

A model carries ``version = models.PositiveIntegerField(default=0)``; forms
send the version they were rendered with; services call ``claim_version``
before saving.
"""

from django.core.exceptions import ValidationError
from django.db.models import F, Model
from django.utils.translation import gettext_lazy as _

CONFLICT_MESSAGE = _(
    "Dieser Datensatz wurde inzwischen von jemand anderem geändert. "
    "Bitte laden Sie die Seite neu und übernehmen Sie Ihre Änderungen erneut."
)


class ConflictError(ValidationError):
    def __init__(self, message=CONFLICT_MESSAGE):
        super().__init__(message, code="conflict")


def claim_version(instance: Model, expected_version: int) -> None:
    """Atomically bump ``instance.version`` if it is still ``expected_version``.

    Call inside the service's transaction; raises ``ConflictError`` otherwise.
    """
    model = type(instance)
    updated = model.objects.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not updated:
        raise ConflictError()
    instance.version = expected_version + 1
