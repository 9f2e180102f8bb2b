"""Input validation for the staffing pages. Shares and dates are the portal's fields
(``centers.fields``), whose parsers the import uses for text cells too, so "0,5",
"50 %" and "31.07.2027" mean the same everywhere."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from centers.fields import GermanDateField, ShareField
from centers.locking import VersionedFormMixin, VersionForm

from . import rules, spreadsheet
from .models import (
    PERSON_FIELDS,
    AssignmentRole,
    FundingSource,
    ImmigrationHistory,
    Post,
    PostKind,
    StaffMember,
)


def _fte_range_message() -> str:
    return rules.fte_error(None)


def fte_field(**kwargs) -> ShareField:
    """A Stellenanteil: (0, 1], worded by the decree rule (``rules.fte_error``)."""
    message = lazy(_fte_range_message, str)()
    kwargs.setdefault("label", _("Stellenanteil"))
    kwargs.setdefault("help_text", _("z. B. 0,5, 50 % oder 1"))
    return ShareField(
        min_value=0,
        max_value=1,
        error_messages={"min_exclusive": message, "max_value": message},
        **kwargs,
    )


class AssignmentForm(VersionedFormMixin, forms.Form):
    member = forms.ModelChoiceField(queryset=StaffMember.objects.none(), label=_("Person"))
    post = forms.ModelChoiceField(queryset=Post.objects.none(), label=_("Stelle"))
    fte = fte_field()
    start = GermanDateField(label=_("Beginn"))
    end = GermanDateField(label=_("Ende"), required=False)
    role = forms.ChoiceField(label=_("Funktion"), choices=AssignmentRole.choices, required=False)
    seconding_school = forms.CharField(
        label=_("Abordnende Schule"),
        max_length=200,
        required=False,
        help_text=_("nur bei Lehrkräften"),
    )

    def __init__(self, *args, center, members, posts, editing=False, **kwargs):
        self.editing = editing
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["post"].queryset = posts
        if editing:
            del self.fields["member"]

    def edits_existing(self) -> bool:
        return self.editing

    def clean(self):
        data = super().clean()
        post = data.get("post")
        if post and data.get("seconding_school") and post.kind != PostKind.TEACHER:
            self.add_error(
                "seconding_school", _("Eine abordnende Schule gibt es nur bei Lehrkräften.")
            )
        return data


class AssignmentEndForm(VersionForm):
    end = GermanDateField(label=_("Letzter Tag der Besetzung"))


class MemberForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = list(PERSON_FIELDS)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def validate_unique(self):
        """Whether another person has the address is ``services.member_save``'s to say, in
        words that depend on who asks (no e-mail oracle, issue 15)."""
        exclude = self._get_validation_exclusions()
        exclude.add("email")
        try:
            self.instance.validate_unique(exclude=exclude)
        except ValidationError as exc:
            self._update_errors(exc)


class SensitiveForm(VersionForm):
    immigration_history = forms.ChoiceField(
        label=_("Einwanderungsgeschichte (freiwillige Selbstauskunft, Nr. 3.4)"),
        choices=ImmigrationHistory.choices,
        required=False,
        widget=forms.RadioSelect,
    )


class PostForm(VersionedFormMixin, forms.ModelForm):
    fte = fte_field()
    valid_from = GermanDateField(label=_("gültig ab"))
    valid_to = GermanDateField(label=_("gültig bis"), required=False)

    class Meta:
        model = Post
        fields = ["kind", "label", "fte", "funding_source", "valid_from", "valid_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funding_source"].choices = FundingSource.choices


class PostEditForm(PostForm):
    """Correcting a post: everything but its kind (the kind decides which rules apply to
    its holders, Nr. 4.1–4.3; a wrong kind is a new post)."""

    class Meta(PostForm.Meta):
        fields = ["label", "fte", "funding_source", "valid_from", "valid_to"]


class PostEndForm(VersionForm):
    valid_to = GermanDateField(label=_("Letzter Tag der Stelle"))
    end_assignments = forms.BooleanField(
        label=_("Besetzungen zum selben Tag beenden"),
        required=False,
        help_text=_(
            "Besetzungen, die über diesen Tag hinaus laufen, enden dann ebenfalls an diesem Tag."
        ),
    )


class ExceptionProposeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("für Stellenart"),
        choices=[
            (PostKind.SPECIALIST, PostKind.SPECIALIST.label),
            (PostKind.ADMIN_ASSISTANT, PostKind.ADMIN_ASSISTANT.label),
        ],
    )
    reason = forms.CharField(
        label=_("Begründung"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "z. B. berufliche Erfahrung in migrations- oder integrationsspezifischen Themenfeldern (Nr. 4.1)"
        ),
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Personalliste (CSV oder XLSX)"),
        help_text=_(
            "Spalten: KI-Schlüssel; Nachname; Vorname; E-Mail; Stellenart; Stellenanteil; "
            "Beginn; Ende; Funktion; Abordnende Schule; Qualifikation"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    full_list = forms.BooleanField(
        label=_("Vollständige Liste: Personen, die in der Datei fehlen, scheiden aus"),
        help_text=_(
            "Die Vorschau nennt die Personen Ihres Zentrums, die in der Datei fehlen. Mit "
            "diesem Haken enden ihre Besetzungen am unten genannten Tag."
        ),
        required=False,
    )
    end_missing_on = GermanDateField(
        label=_("Letzter Tag der fehlenden Personen"),
        help_text=_("TT.MM.JJJJ; leer: der Tag vor dem Import."),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("full_list") and not data.get("end_missing_on"):
            data["end_missing_on"] = timezone.localdate() - timedelta(days=1)
        if not data.get("full_list"):
            data["end_missing_on"] = None
        return data

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > spreadsheet.MAX_FILE_BYTES:
            raise ValidationError(
                _("Die Datei ist zu groß (höchstens {mb} MB).").format(
                    mb=spreadsheet.MAX_FILE_BYTES // 2**20
                )
            )
        return upload
