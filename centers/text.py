"""How long free text may be (issue 15, finding 10): one place for the bounds.

A Schwerpunkt's goal took 200,000 characters (an 80-page, 10-second report). Every text a
user types now has a bound that a paragraph, a page or a few pages of real content fit
in. Models whose app may change its schema carry it (``max_length`` for the form's field
and the textarea's ``maxlength``, the validator for ``full_clean`` in services, the admin
and the importer — a TextField's ``max_length`` alone is not validated); forms of the
other apps bound their fields with ``bound_text_fields``. Django's German message names
the bound and the length typed.
"""

from __future__ import annotations

from django.core.validators import MaxLengthValidator

NOTE = 2000  # a note, a reason, a goal, a list of indicators: about half a page
TEXT = 4000  # measures, a comment, a description: about a page
LONG = 10000  # the strategic planning, an agreement's content: a few pages


def text_validators(limit: int) -> list[MaxLengthValidator]:
    return [MaxLengthValidator(limit)]


def bound_text_fields(form, limits: dict[str, int]) -> None:
    """Give a form's text fields a bound their model does not carry (yet)."""
    for name, limit in limits.items():
        field = form.fields.get(name)
        if field is None:
            continue
        field.max_length = limit
        field.validators.append(MaxLengthValidator(limit))
        field.widget.attrs["maxlength"] = str(limit)
