from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from .documents import validate_pdf
from .fields import GermanDateField, GermanDecimalField
from .locking import VersionedFormMixin, VersionForm
from .models import ConceptParticipation, FundingDecision, IntegrationConcept
from .programmes import Programme
from .services import CONCEPT_FIELDS, FUNDING_FIELDS, PARTICIPATION_FIELDS
from .text import LONG, NOTE, TEXT, bound_text_fields


class LoginForm(AuthenticationForm):
    """Django's login form; the autocomplete hints help password managers (BITV)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Benutzername oder Passwort ist falsch. Bitte beachten Sie die "
            "Groß- und Kleinschreibung."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's password change with the portal's German (Django's own help text writes
    "dasselbe" in two words); autocomplete hints for password managers."""

    error_messages = {
        **DjangoPasswordChangeForm.error_messages,
        "password_mismatch": _("Die beiden neuen Passwörter stimmen nicht überein."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password2"].help_text = _(
            "Bitte geben Sie zur Bestätigung dasselbe Passwort noch einmal ein."
        )
        self.fields["old_password"].widget.attrs.update({"autocomplete": "current-password"})
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget.attrs.update({"autocomplete": "new-password"})


# --- Integrationskonzept and Landesförderung ----------------------------------------------


class ConceptForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = IntegrationConcept
        fields = CONCEPT_FIELDS
        field_classes = {
            "resolution_date": GermanDateField,
            "municipalities_agreed_on": GermanDateField,
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "municipalities_note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "resolution_body": _("Rat der Stadt bzw. Kreistag, der das Konzept beschlossen hat."),
        }

    def __init__(self, *args, needs_municipalities: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_municipalities:
            # Nr. 1.4: the agreement with kreisangehörige Gemeinden concerns Kreise only.
            del self.fields["municipalities_agreed_on"]
            del self.fields["municipalities_note"]
        # Issue 15: bounded here until the model carries the bound (centers.text).
        bound_text_fields(self, {"summary": TEXT, "municipalities_note": NOTE})


class ConceptDocumentForm(VersionForm):
    document = forms.FileField(
        label=_("Dokument (PDF)"),
        help_text=_("Nur PDF-Dateien, höchstens %(size)s.")
        % {"size": f"{settings.MAX_UPLOAD_SIZE // (1024 * 1024)} MB"},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_document(self):
        upload = self.cleaned_data["document"]
        validate_pdf(upload)
        return upload


class ParticipationForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ConceptParticipation
        fields = PARTICIPATION_FIELDS
        field_classes = {"involved_on": GermanDateField}
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_text_fields(self, {"note": NOTE})


class FundingDecisionForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = FundingDecision
        fields = FUNDING_FIELDS
        field_classes = {
            "amount": GermanDecimalField,
            "funded_posts": GermanDecimalField,
            "decided_on": GermanDateField,
        }
        widgets = {
            "note": forms.Textarea(attrs={"rows": 3}),
            "conditions": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].thousands = True
        bound_text_fields(self, {"note": NOTE})
        self.fields["programme"].empty_label = None
        if not self.instance.pk:
            basic = Programme.objects.filter(required_for_operation=True).first()
            self.initial.setdefault("programme", basic.pk if basic else None)
        if self.instance.pk:
            # Show the stored numbers the German way as well.
            for name in ("amount", "funded_posts"):
                self.initial[name] = f"{getattr(self.instance, name):.2f}".replace(".", ",")


class TargetAgreementForm(VersionedFormMixin, forms.Form):
    valid_from = GermanDateField(label=_("gültig ab"))
    valid_until = GermanDateField(label=_("gültig bis"))
    concluded_on = GermanDateField(label=_("abgeschlossen am"), required=False)
    text = forms.CharField(
        label=_("Inhalt"),
        required=False,
        max_length=LONG,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    document = forms.FileField(
        label=_("Dokument (PDF)"),
        required=False,
        help_text=_("Optional; ersetzt ein bereits hinterlegtes Dokument."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "valid_from": instance.valid_from,
                    "valid_until": instance.valid_until,
                    "concluded_on": instance.concluded_on,
                    "text": instance.text,
                },
            )
        super().__init__(*args, **kwargs)

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if upload:
            validate_pdf(upload)
        return upload or None

    def service_fields(self) -> dict:
        return {
            k: self.cleaned_data[k] for k in ("valid_from", "valid_until", "concluded_on", "text")
        }


def add_service_error(form, exc) -> None:
    """Show a service's ValidationError on the form: on its field where there is one."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)
