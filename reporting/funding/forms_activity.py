"""The form of a centre's Tätigkeitszahlen for a year: four groups (Seiteneinstieg,
Laiensprachmittlerpool, IfKuF, events), the model's rules checked as the user types them."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from centers.locking import VersionedFormMixin

from .activity import (
    COUNT_FIELDS,
    EDITABLE_FIELDS,
    EVENT_FIELDS,
    GROUP_KINDS,
    LEVELS,
    MEDIATION_PLACES,
)
from .models import ActivityFigures

# A count beyond this is a typing error (a centre's year, not the state's).
MAX_COUNT = 99_999


class ActivityFiguresForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ActivityFigures
        fields = list(EDITABLE_FIELDS)
        labels = {
            "mediation_assignments": _("Einsätze insgesamt"),
            "mediation_languages": _("Sprachen der Einsätze"),
            "group_participants": _("Teilnehmende (Eltern und Kinder)"),
        }
        help_texts = {
            "mediation_languages": _(
                "durch Komma getrennt, z. B. „Arabisch, Türkisch, Ukrainisch“"
            ),
            "mediation_assignments": _(
                "Alle Einsätze des Jahres; die Einsätze nach Ort darunter ergeben höchstens "
                "diese Zahl (Einsätze ohne Ortsangabe zählen nur hier)."
            ),
            "group_sessions": _("Treffen aller Gruppen zusammen"),
            "note": _("z. B. Besonderheiten des Jahres oder wie gezählt wurde"),
        }
        widgets = {
            "mediation_languages": forms.TextInput(),
            "note": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in COUNT_FIELDS:
            field = self.fields[name]
            field.max_value = MAX_COUNT
            field.validators.append(MaxValueValidator(MAX_COUNT))
            field.widget.attrs.update(max=MAX_COUNT, inputmode="numeric")

    @property
    def level_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """(school level, counselled, placed) for the Seiteneinstieg's table."""
        return [
            (str(label), self[f"counselled_{code}"], self[f"placed_{code}"])
            for code, label in LEVELS
        ]

    @property
    def mediation_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("mediation_assignments", "mediation_languages")]

    @property
    def mediation_place_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in MEDIATION_PLACES]

    @property
    def group_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in (*GROUP_KINDS, "group_sessions", "group_participants")]

    @property
    def event_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in EVENT_FIELDS]
