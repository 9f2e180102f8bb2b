from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deployment.periods import Period, current_period, period_starting


def period_choices(today: datetime.date | None = None) -> list[tuple[str, str]]:
    """The running period, the two before it and the next one."""
    current = current_period(today or timezone.localdate())
    periods = [current.next(), current, current.previous(), current.previous().previous()]
    return [(p.start.isoformat(), f"{p.label} ({p})") for p in periods]


class ReportRequestForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Berichtszeitraum"),
        help_text=_("Der zweijährige Zeitraum des Einsatzmanagements (Nr. 3.6)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = period_choices()
        self.fields["period"].choices = choices
        self.fields["period"].initial = choices[1][0]

    def clean_period(self) -> Period:
        try:
            return period_starting(datetime.date.fromisoformat(self.cleaned_data["period"]))
        except ValueError as exc:
            raise forms.ValidationError(_("Bitte wählen Sie einen gültigen Zeitraum.")) from exc
