import re

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .documents import validate_pdf
from .models import ConceptParticipation, FundingDecision, IntegrationConcept
from .services import CONCEPT_FIELDS, FUNDING_FIELDS, PARTICIPATION_FIELDS


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


# --- Integrationskonzept and Landesförderung ----------------------------------------------


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionForm(forms.Form):
    """The optimistic lock: the version the page was rendered with (centers.locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ConceptForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    class Meta:
        model = IntegrationConcept
        fields = CONCEPT_FIELDS
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "resolution_date": _date_widget(),
            "municipalities_agreed_on": _date_widget(),
            "municipalities_note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "resolution_body": _("Rat der Stadt bzw. Kreistag, der das Konzept beschlossen hat."),
        }

    def __init__(self, *args, needs_municipalities: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_municipalities:
            # §1.4: the agreement with kreisangehörige Gemeinden concerns Kreise only.
            del self.fields["municipalities_agreed_on"]
            del self.fields["municipalities_note"]
        if self.instance.pk:
            self.fields["version"].required = True
            self.fields["version"].initial = self.instance.version

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


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


class ParticipationForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    class Meta:
        model = ConceptParticipation
        fields = PARTICIPATION_FIELDS
        widgets = {"involved_on": _date_widget(), "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].required = True
            self.fields["version"].initial = self.instance.version

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class ConceptReturnForm(VersionForm):
    reason = forms.CharField(
        label=_("Grund der Rückgabe"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Die KI-Leitung sieht diesen Text am Konzept und erhält ihn per E-Mail."),
    )


_GERMAN_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


class GermanDecimalField(forms.DecimalField):
    """Reads „312.500,50“, „312500,50“, „5,5“ and „5.5“ whatever the request's language
    (STACK-NOTES: never rely on USE_THOUSAND_SEPARATOR for input)."""

    def __init__(self, *args, thousands: bool = False, **kwargs):
        self.thousands = thousands
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("€", "").replace("\u00a0", "").replace(" ", "").strip()
            if "," in value:
                value = value.replace(".", "").replace(",", ".")
            elif self.thousands and _GERMAN_THOUSANDS.match(value):
                value = value.replace(".", "")
        return super().to_python(value)

    def widget_attrs(self, widget):
        # No type=number/step: the browser would refuse the German comma.
        return {}


class FundingDecisionForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    class Meta:
        model = FundingDecision
        fields = FUNDING_FIELDS
        field_classes = {"amount": GermanDecimalField, "funded_posts": GermanDecimalField}
        widgets = {
            "decided_on": _date_widget(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].thousands = True
        if self.instance.pk:
            self.fields["version"].required = True
            self.fields["version"].initial = self.instance.version
            # Show the stored numbers the German way as well.
            for name in ("amount", "funded_posts"):
                self.initial[name] = f"{getattr(self.instance, name):.2f}".replace(".", ",")

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class TargetAgreementForm(forms.Form):
    valid_from = forms.DateField(label=_("gültig ab"), widget=_date_widget())
    valid_until = forms.DateField(label=_("gültig bis"), widget=_date_widget())
    concluded_on = forms.DateField(
        label=_("abgeschlossen am"), required=False, widget=_date_widget()
    )
    text = forms.CharField(
        label=_("Inhalt"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    document = forms.FileField(
        label=_("Dokument (PDF)"),
        required=False,
        help_text=_("Optional; ersetzt ein bereits hinterlegtes Dokument."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

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
                    "version": instance.version,
                },
            )
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.fields["version"].required = True

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
