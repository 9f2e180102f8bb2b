"""Optimistic locking: the second of two concurrent saves gets a conflict,
never a silent overwrite (DESIGN.md §5).

A model carries ``version = models.PositiveIntegerField(default=0)``; forms
send the version they were rendered with (``VersionedFormMixin``: a required
hidden field); services call ``claim_version`` before saving.
"""

from django import forms
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
    The lock is not optional: ``None`` is a programming error, never "skip the check".
    """
    if expected_version is None:
        raise TypeError("claim_version() needs the version the form was rendered with.")
    model = type(instance)
    updated = model.objects.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not updated:
        raise ConflictError()
    instance.version = expected_version + 1


MISSING_VERSION_MESSAGE = _(
    "Die Seite war unvollständig (die Angabe zum Bearbeitungsstand fehlt); es wurde nichts "
    "gespeichert. Bitte laden Sie die Seite neu und übernehmen Sie Ihre Änderungen erneut."
)


class VersionedFormMixin:
    """The one form lock: every form that changes an existing object carries the version
    it was rendered with, as a required hidden field. A missing or non-numeric version is
    a form error (never a silent overwrite); the service's ``claim_version`` then reports
    a stale one as a conflict.

    ``edits_existing()`` decides whether the form locks: for a ModelForm (or a form with
    an ``instance`` attribute) when the instance is saved already; for other forms
    (confirmations acting on an object the view has loaded) always. The initial value
    comes from the instance where there is one; otherwise the view passes it in
    ``initial``. Views pass ``form.expected_version`` to the service.
    """

    version_field_name = "version"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.edits_existing():
            return
        name = self.version_field_name
        self.fields[name] = forms.IntegerField(
            widget=forms.HiddenInput,
            min_value=0,
            error_messages=dict.fromkeys(
                ("required", "invalid", "min_value"), MISSING_VERSION_MESSAGE
            ),
        )
        instance = getattr(self, "instance", None)
        if instance is not None:
            # The instance's own version, whatever else the view put into ``initial``.
            self.initial[name] = instance.version

    def edits_existing(self) -> bool:
        if not hasattr(self, "instance"):
            return True
        return self.instance is not None and self.instance.pk is not None

    def clean(self):
        # A hidden field's error would not be visible next to it: show it on the form.
        errors = self._errors.pop(self.version_field_name, None) if self._errors else None
        if errors:
            self.add_error(None, errors.as_data())
        return super().clean()

    @property
    def expected_version(self) -> int | None:
        """The version to hand to the service; ``None`` for a form that creates."""
        if not self.edits_existing():
            return None
        return self.cleaned_data[self.version_field_name]

    def service_fields(self) -> dict:
        """The cleaned values without the lock, for ``service(**form.service_fields())``."""
        return {k: v for k, v in self.cleaned_data.items() if k != self.version_field_name}


class VersionForm(VersionedFormMixin, forms.Form):
    """A confirmation (submit, end, delete …) of an object the view has loaded: only the
    lock; the view passes ``initial={"version": obj.version}``."""
