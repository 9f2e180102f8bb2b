"""Forms of the Förderantrag: the financing plan (one row per budget line), an attachment,
and the Bescheid (an amount per line, file number, date, conditions, the letter)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centers.fields import GermanDateField, GermanDecimalField
from centers.locking import VersionedFormMixin
from centers.models import DecisionKind

from .services import PlanLine


@dataclass
class Row:
    """A line of the plan as the form shows it: the budget line, its stored values and the
    bound fields for posts (per post only) and amount."""

    line_id: int
    budget_line: object
    posts_field: forms.BoundField | None
    amount_field: forms.BoundField
    note: str = ""


class LinesFormMixin:
    """Fields ``posts_<id>`` and ``amount_<id>`` for each line ``(id, budget_line, posts,
    amount)``; ``rows`` for the template's table, ``plan_lines()`` for the service."""

    with_posts = True

    def add_line_fields(self, lines, *, amount_label):
        self._lines = list(lines)
        for line_id, budget_line, posts, amount in self._lines:
            if budget_line.per_post and self.with_posts:
                self.fields[f"posts_{line_id}"] = GermanDecimalField(
                    label=_("Stellen (VZÄ): %(line)s") % {"line": budget_line.name},
                    min_value=Decimal("0"),
                    max_digits=5,
                    decimal_places=2,
                    required=False,
                )
                self.initial.setdefault(f"posts_{line_id}", _german(posts))
            self.fields[f"amount_{line_id}"] = GermanDecimalField(
                label=_("%(what)s: %(line)s") % {"what": amount_label, "line": budget_line.name},
                min_value=Decimal("0"),
                max_digits=12,
                decimal_places=2,
                thousands=True,
            )
            self.initial.setdefault(f"amount_{line_id}", _german(amount))

    @property
    def rows(self) -> list[Row]:
        return [
            Row(
                line_id=line_id,
                budget_line=budget_line,
                posts_field=self[f"posts_{line_id}"] if f"posts_{line_id}" in self.fields else None,
                amount_field=self[f"amount_{line_id}"],
            )
            for line_id, budget_line, _posts, _amount in self._lines
        ]

    def line_field_names(self) -> set[str]:
        return {
            name
            for line_id, _b, _p, _a in self._lines
            for name in (f"posts_{line_id}", f"amount_{line_id}")
            if name in self.fields
        }

    def other_fields(self):
        names = self.line_field_names()
        return [f for f in self.visible_fields() if f.name not in names]

    def plan_lines(self) -> list[PlanLine]:
        data = self.cleaned_data
        return [
            PlanLine(
                line_id=line_id,
                amount=data[f"amount_{line_id}"],
                posts=data.get(f"posts_{line_id}") if f"posts_{line_id}" in self.fields else None,
            )
            for line_id, budget_line, _posts, _amount in self._lines
        ]


def _german(value) -> str:
    if value is None:
        return ""
    return f"{Decimal(value):.2f}".replace(".", ",")


class PlanForm(LinesFormMixin, VersionedFormMixin, forms.Form):
    explanation = forms.CharField(
        label=_("Erläuterungen zum Finanzierungsplan"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("z. B. wofür die Sachausgaben eingeplant sind"),
    )

    def __init__(self, *args, application, **kwargs):
        self.instance = application
        super().__init__(*args, **kwargs)
        self.initial.setdefault("explanation", application.explanation)
        self.add_line_fields(
            [
                (line.pk, line.budget_line, line.posts, line.amount)
                for line in application.lines.all()
            ],
            amount_label=_("beantragt"),
        )


class DocumentForm(forms.Form):
    title = forms.CharField(
        label=_("Bezeichnung"),
        max_length=200,
        required=False,
        help_text=_("z. B. „Kooperationsvereinbarung mit dem Träger der Angebote“"),
    )
    file = forms.FileField(label=_("Datei (PDF)"))


class BescheidForm(LinesFormMixin, VersionedFormMixin, forms.Form):
    """The Bescheid on an application, or a later decision on a Bescheid (``kinds``:
    Änderungsbescheid or Widerruf)."""

    kind = forms.ChoiceField(
        label=_("Art"),
        choices=[
            (DecisionKind.AMENDMENT.value, DecisionKind.AMENDMENT.label),
            (DecisionKind.REVOCATION.value, DecisionKind.REVOCATION.label),
        ],
        widget=forms.RadioSelect,
    )
    file_number = forms.CharField(label=_("Aktenzeichen"), max_length=60)
    decided_on = GermanDateField(label=_("Bescheid vom"))
    conditions = forms.CharField(
        label=_("Nebenbestimmungen"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    note = forms.CharField(
        label=_("Vermerk"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("z. B. der Grund einer Änderung oder eines Widerrufs"),
    )
    document = forms.FileField(label=_("Bescheid (PDF)"), required=False)

    def __init__(self, *args, instance, lines, change: bool, **kwargs):
        self.instance = instance
        super().__init__(*args, **kwargs)
        if not change:
            del self.fields["kind"]
            del self.fields["note"]
        self.initial.setdefault("decided_on", timezone.localdate())
        self.add_line_fields(lines, amount_label=_("bewilligt"))
        if change:
            # A Widerruf leaves nothing granted: the amounts are not asked for.
            for name in self.line_field_names():
                self.fields[name].required = False

    def clean(self):
        data = super().clean()
        if data.get("kind") == DecisionKind.AMENDMENT:
            for line_id, _b, _p, _a in self._lines:
                if data.get(f"amount_{line_id}") is None and f"amount_{line_id}" not in self.errors:
                    self.add_error(f"amount_{line_id}", _("Bitte den bewilligten Betrag angeben."))
        return data


class DrawdownForm(LinesFormMixin, forms.Form):
    """A Mittelabruf: the drawdown date (one of the programme year's, where it has any)
    and an amount per line of the Bescheid, prefilled with nothing."""

    with_posts = False

    def __init__(self, *args, ledger, dates, **kwargs):
        super().__init__(*args, **kwargs)
        if dates:
            self.fields["drawdown_date"] = forms.ModelChoiceField(
                label=_("Abruftermin"),
                queryset=dates,
                empty_label=None,
                widget=forms.RadioSelect,
            )
        else:
            self.fields["requested_for"] = GermanDateField(
                label=_("Abruf zum"),
                help_text=_("Für dieses Programmjahr sind keine festen Abruftermine hinterlegt."),
            )
        self.add_line_fields(
            [(row.budget_line.pk, row.budget_line, None, Decimal("0")) for row in ledger.rows],
            amount_label=_("abrufen"),
        )


class ProofForm(VersionedFormMixin, forms.Form):
    """The Sachbericht's own text and, per line, the actual spending and the reason of a
    deviation (needed above 20 % when the proof is submitted)."""

    narrative = forms.CharField(
        label=_("Sachbericht (eigener Text)"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Die Schwerpunkte des Einsatzmanagements und die Tätigkeitszahlen übernimmt das "
            "Portal; hier ergänzen Sie, was darüber hinaus zu berichten ist."
        ),
    )

    def __init__(self, *args, proof, **kwargs):
        self.instance = proof
        super().__init__(*args, **kwargs)
        self.initial.setdefault("narrative", proof.narrative)
        self._lines = list(proof.lines.select_related("budget_line"))
        for line in self._lines:
            self.fields[f"actual_{line.pk}"] = GermanDecimalField(
                label=_("tatsächlich ausgegeben: %(line)s") % {"line": line.budget_line.name},
                min_value=Decimal("0"),
                max_digits=12,
                decimal_places=2,
                thousands=True,
                required=False,
            )
            self.initial.setdefault(f"actual_{line.pk}", _german(line.actual))
            self.fields[f"reason_{line.pk}"] = forms.CharField(
                label=_("Begründung der Abweichung: %(line)s") % {"line": line.budget_line.name},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.initial.setdefault(f"reason_{line.pk}", line.reason)

    @property
    def rows(self):
        return [
            (line, self[f"actual_{line.pk}"], self[f"reason_{line.pk}"]) for line in self._lines
        ]

    def actual_lines(self):
        from .services import ActualLine

        return [
            ActualLine(
                line_id=line.pk,
                actual=self.cleaned_data.get(f"actual_{line.pk}"),
                reason=self.cleaned_data.get(f"reason_{line.pk}", ""),
            )
            for line in self._lines
        ]


class ReclaimForm(VersionedFormMixin, forms.Form):
    repayment = GermanDecimalField(
        label=_("zurückzuzahlen (EUR)"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        thousands=True,
    )
    note = forms.CharField(
        label=_("Begründung"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Bitte begründen Sie die Rückforderung.")},
    )

    def __init__(self, *args, proof, **kwargs):
        self.instance = proof
        super().__init__(*args, **kwargs)
