from django import forms
from django.utils.translation import gettext_lazy as _

from .legal import AccessibilityFeedback


class AccessibilityFeedbackForm(forms.ModelForm):
    class Meta:
        model = AccessibilityFeedback
        fields = ["message", "page", "name", "email"]
        labels = {
            "message": _("Ihre Nachricht"),
            "name": _("Ihr Name (freiwillig)"),
            "email": _("Ihre E-Mail-Adresse (freiwillig, für eine Antwort)"),
            "page": _("Betroffene Seite (freiwillig)"),
        }
        help_texts = {
            "message": _("Beschreiben Sie bitte die Barriere (höchstens 5000 Zeichen)."),
            "page": _("Zum Beispiel die Adresse aus der Adresszeile des Browsers."),
        }
        widgets = {
            "message": forms.Textarea(
                attrs={"rows": 6, "maxlength": AccessibilityFeedback.MESSAGE_MAX_LENGTH}
            ),
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
