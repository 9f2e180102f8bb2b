"""Accessible forms in every template (issue 14, WCAG 3.3.1/3.3.2).

``{% form_errors as page_errors %}``
    Every error of every bound form (or formset) in the template's context, in page
    order, as ``FormError(label, message, anchor)``; ``anchor`` is the id of the input
    to jump to ("" for errors of the whole form or of a hidden field). ``base.html``
    uses it once: the title gets "Fehler:" and an error summary heads the content.
    A fragment rendered without ``base.html`` (an htmx swap) passes its form:
    ``{% form_errors form as page_errors %}``.

``{{ field|marks_required }}``
    Whether the field's input carries ``required``: the "*" is shown exactly then
    (a select whose first option is a value can never be empty, so it gets neither).

``{{ form|has_marked_fields }}``
    Whether any visible field of the form shows the "*": then the form explains it once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.forms import BaseForm, BaseFormSet
from django.forms.boundfield import BoundField

register = template.Library()


@dataclass(frozen=True)
class FormError:
    label: str
    message: str
    anchor: str


def _anchor(field: BoundField) -> str:
    if field.is_hidden:
        return ""
    # Radio buttons and checkbox groups have no single label target: the first choice.
    return field.id_for_label or (f"{field.auto_id}_0" if field.auto_id else "")


def _errors_of_form(form: BaseForm) -> list[FormError]:
    errors = [FormError("", str(message), "") for message in form.non_field_errors()]
    for field in form:
        for message in field.errors:
            label = "" if field.is_hidden else str(field.label or "")
            errors.append(FormError(label, str(message), _anchor(field)))
    return errors


def _errors_of(obj) -> list[FormError]:
    if isinstance(obj, BaseFormSet):
        if not obj.is_bound:
            return []
        errors = [FormError("", str(message), "") for message in obj.non_form_errors()]
        for form in obj.forms:
            errors.extend(_errors_of_form(form))
        return errors
    if isinstance(obj, BaseForm) and obj.is_bound and obj.errors:
        return _errors_of_form(obj)
    return []


@register.simple_tag(takes_context=True)
def form_errors(context, *forms) -> list[FormError]:
    if not forms:
        seen: set[int] = set()
        forms = []
        # Innermost first in ``context.dicts``; each form once, whatever its name.
        for values in reversed(context.dicts):
            for value in values.values() if hasattr(values, "values") else ():
                # ``type``, not ``isinstance``: a lazy value of the context (the CSP nonce,
                # the navigation) must stay unevaluated — a nonce made for nothing would keep
                # the page out of the page cache.
                if issubclass(type(value), (BaseForm, BaseFormSet)) and id(value) not in seen:
                    seen.add(id(value))
                    forms.append(value)
    errors: list[FormError] = []
    for form in forms:
        errors.extend(_errors_of(form))
    return errors


@register.filter
def marks_required(field: BoundField) -> bool:
    if not isinstance(field, BoundField) or field.is_hidden:
        return False
    return bool(field.build_widget_attrs({}).get("required"))


@register.filter
def has_marked_fields(form) -> bool:
    if not isinstance(form, BaseForm):
        return False
    return any(marks_required(field) for field in form.visible_fields())
