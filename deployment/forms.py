from django import forms
from django.utils.translation import gettext_lazy as _

from centers.fields import GermanDateField, ShareField
from centers.locking import VersionedFormMixin
from centers.text import TEXT

from .models import DeploymentPlan, Focus
from .services import FOCUS_CONTENT_FIELDS, PLAN_CONTENT_FIELDS
from .vocabularies import PartnerKind, Programme, TargetGroup


class _DeploymentLock(VersionedFormMixin):
    # The deployment pages (and tests/deployment) post the lock as ``expected_version``.
    version_field_name = "expected_version"


class PlanForm(_DeploymentLock, forms.ModelForm):
    class Meta:
        model = DeploymentPlan
        fields = PLAN_CONTENT_FIELDS
        field_classes = {"partners_agreed_on": GermanDateField}
        widgets = {"summary": forms.Textarea(attrs={"rows": 6})}


class FocusForm(_DeploymentLock, forms.ModelForm):
    target_groups = forms.MultipleChoiceField(
        label=_("Zielgruppen"),
        choices=TargetGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Wen das Zentrum unterstützt oder berät (Nr. 2.1 / 2.2)."),
    )
    partners = forms.MultipleChoiceField(
        label=_("Kooperationspartner"),
        choices=PartnerKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    programmes = forms.MultipleChoiceField(
        label=_("Programme"),
        choices=Programme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Focus
        fields = [*FOCUS_CONTENT_FIELDS, "shared"]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 3}),
            "indicators": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Distinct ids per Schwerpunkt: several forms may be open on one page.
            self.auto_id = f"id_focus{self.instance.pk}_%s"
            if self.instance.is_basic:
                self.fields["title"].disabled = True
                self.fields["title"].help_text = _(
                    "Bestandteil der Grundförderung (Nr. 1.3.3); der Titel bleibt fest."
                )
        else:
            self.auto_id = "id_newfocus_%s"


class FocusDeleteForm(_DeploymentLock, forms.Form):
    """The confirmation of removing a Schwerpunkt: only the lock (the view passes the
    Schwerpunkt's version in ``initial``)."""


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Kommentar"),
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Bitte geben Sie einen Kommentar ein.")},
    )
    focus = forms.ModelChoiceField(
        label=_("zu Schwerpunkt"),
        queryset=Focus.objects.none(),
        required=False,
        empty_label=_("zum Einsatzmanagement insgesamt"),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, plan=None, foci=None, **kwargs):
        """``foci``: the plan's Schwerpunkte in order, when the page has read them already
        (the choices are drawn from them; a submitted value is still checked in the
        database)."""
        super().__init__(*args, **kwargs)
        if plan is not None:
            field = self.fields["focus"]
            field.queryset = plan.foci.order_by("position", "id")
            if foci is not None:
                field.choices = [("", field.empty_label)] + [
                    (field.prepare_value(f), field.label_from_instance(f)) for f in foci
                ]


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("Klärung"),
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Bitte beschreiben Sie die Klärung.")},
    )


class VerbundCopyForm(forms.Form):
    target_plan = forms.ModelChoiceField(
        label=_("in Einsatzmanagement"), queryset=DeploymentPlan.objects.none(), empty_label=None
    )

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        if plans is not None:
            self.fields["target_plan"].queryset = plans
            self.fields["target_plan"].label_from_instance = lambda p: (
                f"{p.center.name} – {p.period.label} ({p.get_status_display()})"
            )


class AllocationForm(forms.Form):
    assignment = forms.ModelChoiceField(label=_("Person und Stelle"), queryset=None)
    focus = forms.ModelChoiceField(label=_("Schwerpunkt"), queryset=None)
    fte = ShareField(
        label=_("Anteil (VZÄ)"),
        help_text=_("z. B. 0,25; 0 entfernt den Anteil."),
        min_value=0,
        max_value=1,
        min_inclusive=True,
        error_messages={
            "max_value": _("Höchstens 1,00 VZÄ."),
            "min_value": _("Der Anteil darf nicht negativ sein."),
        },
    )

    def __init__(self, *args, plan, assignments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = assignments
        self.fields["assignment"].label_from_instance = lambda a: (
            f"{a.member.last_name}, {a.member.first_name} – {a.post.get_kind_display()} "
            f"({a.fte:.2f} VZÄ)".replace(".", ",")
        )
        self.fields["focus"].queryset = plan.foci.order_by("position", "id")
