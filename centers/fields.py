"""The portal's one module of form fields for German input: shares (VZÄ), decimals and dates.

Every form imports its share, decimal and date fields from here, and the staffing import
reads text cells with the same ``parse_share`` / ``parse_german_date``, so "0,5", "0.5",
"50 %" and "31.07.2027" mean the same in every form and in every file.

Dates use the browser's native date input (``<input type="date">``): it is accessible,
shows the user's locale (TT.MM.JJJJ in German browsers) and sends ISO dates. Where it
falls back to a text box (old browsers, scripts, tests), typed ``31.07.2027`` is read
as well.

The base app: nothing here may import staffing, deployment or reporting.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CENT = Decimal("0.01")

# --- pure parsing (also used by staffing.spreadsheet for text cells) -------------------------

_PERCENT = re.compile(r"^([0-9]+(?:[.,][0-9]+)?)\s*%$")
_NUMBER = re.compile(r"^-?[0-9]+(?:[.,][0-9]+)?$")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_share(text: str) -> Decimal:
    """``0,5`` / ``0.5`` / ``50 %`` / ``1`` → ``Decimal`` with two decimals.

    Raises ``ValueError`` with a German message for anything else, or for more than two
    decimals. Bounds are the caller's: a Stellenanteil lies in (0, 1], a share of staff
    time in a Schwerpunkt in [0, 1]."""
    text = str(text).strip()
    try:
        if m := _PERCENT.match(text):
            number = Decimal(m.group(1).replace(",", ".")) / 100
        elif _NUMBER.match(text):
            number = Decimal(text.replace(",", "."))
        else:
            number = None
        if number is not None and number != number.quantize(CENT):
            raise ValueError(
                _("Der Stellenanteil „{value}“ hat mehr als zwei Nachkommastellen.").format(
                    value=text
                )
            )
        if number is not None:
            return number.quantize(CENT)
    except InvalidOperation:  # too many digits to quantize
        pass
    raise ValueError(
        _("„{value}“ ist kein Stellenanteil; erwartet z. B. 0,5, 0.5, 50 % oder 1.").format(
            value=text
        )
    )


def parse_german_date(text: str) -> date:
    """``31.07.2027``, ``31.07.27`` or ``2027-07-31`` → ``date``.

    Two-digit years are read as Excel reads them: 00–69 → 20xx, 70–99 → 19xx.
    Raises ``ValueError`` with a German message."""
    text = str(text).strip()
    parts = None
    if m := _GERMAN_DATE.match(text):
        year = int(m.group(3))
        if len(m.group(3)) == 2:
            year += 2000 if year < 70 else 1900
        parts = (year, m.group(2), m.group(1))
    elif m := _ISO_DATE.match(text):
        parts = (m.group(1), m.group(2), m.group(3))
    if parts is None:
        raise ValueError(
            _("„{value}“ ist kein Datum; erwartet TT.MM.JJJJ, TT.MM.JJ oder JJJJ-MM-TT.").format(
                value=text
            )
        )
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise ValueError(
            _("„{value}“ ist kein gültiges Datum (diesen Tag gibt es nicht).").format(value=text)
        ) from None


def format_share(value: Decimal) -> str:
    """``0,50``, ``1,00``: how the portal shows shares, and what ``parse_share`` reads back."""
    return f"{value:.2f}".replace(".", ",")


# --- form fields ----------------------------------------------------------------------------


class ShareField(forms.Field):
    """A share of a full-time post (VZÄ): "0,5", "0.5", "50 %" or "1", two decimals.

    Bounds are given per use: ``min_value``/``max_value`` and whether ``min_value`` itself
    is allowed (``min_inclusive``); the defaults are (0, 1], a Stellenanteil. A use may word
    its own ``error_messages``: ``min_value`` (inclusive bound), ``min_exclusive``,
    ``max_value``."""

    default_error_messages = {
        "min_value": gettext_lazy("Der Anteil darf nicht kleiner als %(limit)s sein."),
        "min_exclusive": gettext_lazy("Der Anteil muss größer als %(limit)s sein."),
        "max_value": gettext_lazy("Der Anteil darf höchstens %(limit)s betragen."),
    }

    def __init__(
        self,
        *,
        min_value: Decimal | int = 0,
        max_value: Decimal | int = 1,
        min_inclusive: bool = False,
        **kwargs,
    ):
        self.min_value = Decimal(min_value)
        self.max_value = Decimal(max_value)
        self.min_inclusive = min_inclusive
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        # A text box, not type=number: the browser would refuse "0,5" and "50 %".
        return {**super().widget_attrs(widget), "inputmode": "decimal", "maxlength": 10}

    def prepare_value(self, value):
        return format_share(value) if isinstance(value, Decimal) else value

    def to_python(self, value):
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            value = str(value)
        value = value.strip() if isinstance(value, str) else value
        if value in self.empty_values:
            return None
        try:
            return parse_share(value)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        limit = {"limit": format_share(self.min_value)}
        if self.min_inclusive and value < self.min_value:
            raise ValidationError(self.error_messages["min_value"], "min_value", limit)
        if not self.min_inclusive and value <= self.min_value:
            raise ValidationError(self.error_messages["min_exclusive"], "min_exclusive", limit)
        if value > self.max_value:
            raise ValidationError(
                self.error_messages["max_value"],
                "max_value",
                {"limit": format_share(self.max_value)},
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


class DateInput(forms.DateInput):
    """The native date picker; its value is always ISO (what the browser expects)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class GermanDateField(forms.DateField):
    """One date field for the whole portal: the native date input, reading ISO dates
    (what browsers send) as well as typed ``31.07.2027`` / ``31.07.27``."""

    widget = DateInput

    def to_python(self, value):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        value = value.strip() if isinstance(value, str) else value
        if value in self.empty_values:
            return None
        try:
            return parse_german_date(value)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None
