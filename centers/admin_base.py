"""What every page of the ministry's admin shares (issue 14).

``PortalAdmin`` is the base of the portal's model admins (instead of django-simple-history's
``SimpleHistoryAdmin``):

- **Workflows stay with their services.** A model with a declared workflow
  (``centers.workflow.transitions.Workflow``) shows its state, the fields its transitions
  stamp (submitted/decided by/at …), the note fields they fill and the lock's version
  read-only — taken from the declarations, so a new workflow or stamp is covered without
  touching an admin. States change through admin actions that call the services.
- **No revert from the history.** simple_history's "Wiederherstellen" would write an old
  version back past every service (workflows, group sync, quota periods): the button is
  gone and the old version's page takes no POST.
- **A readable history.** Field labels, old → new as the pages show values (choice labels,
  TT.MM.JJJJ HH:MM, "0,50", "ja"/"nein", "–" for empty), the user's full name.

``PortalImportExportMixin`` labels the export's column choice with the column names the file
will have (German), not with the attribute's name ("Fte").
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.utils import formats, timezone
from django.utils.encoding import force_str
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from import_export.admin import ImportExportMixin
from import_export.forms import SelectableFieldsExportForm
from import_export.resources import ModelResource
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from .workflow.transitions import workflows

EMPTY = "–"


def workflow_fields(model: type[models.Model]) -> list[str]:
    """The fields of ``model`` that only its workflow's transitions write: the state, the
    stamps, the notes — and the lock's ``version``. Empty for a model without a workflow."""
    names: list[str] = []
    for workflow in workflows():
        if workflow.model is not model:
            continue
        names.append(workflow.state_field)
        for transition in workflow.transitions:
            names.extend(transition.stamps)
            if transition.note_field:
                names.append(transition.note_field)
        if any(f.name == "version" for f in model._meta.concrete_fields):
            names.append("version")
    return list(dict.fromkeys(names))


def display_value(field: models.Field, value) -> str:
    """A stored value as the portal's pages show it (the admin's history)."""
    if value is None or value == "" or value == []:
        return EMPTY
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, Decimal):
        return formats.number_format(
            value,
            decimal_pos=getattr(field, "decimal_places", None),
            use_l10n=True,
            force_grouping=True,
        )
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "d.m.Y H:i")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "d.m.Y")
    if isinstance(value, AbstractBaseUser):
        return person_name(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(field, models.FileField):
        return str(value).rsplit("/", 1)[-1]
    return str(value)


def person_name(user) -> str:
    """Who made a change: the full name, else the user name; nobody is the system."""
    if user is None:
        return _("System")
    return user.get_full_name() or user.get_username()


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    """One change of the history list: the field's label, old → new as displayed values.
    ``vocabularies`` names the labels of fields that store a list of codes (a JSON list
    edited through a multiple choice)."""

    def __init__(self, model, historical_record, *, vocabularies=None, **kwargs):
        super().__init__(model, historical_record, **kwargs)
        self.vocabularies = vocabularies or {}

    def format_delta_change(self, change):
        try:
            field = self.model._meta.get_field(change.field)
        except FieldDoesNotExist:
            return super().format_delta_change(change)
        old, new = (
            self.display(field, self.prepare_delta_change_value(change, value))
            for value in (change.old, change.new)
        )
        old, new = self.stringify_delta_change_values(change, old, new)
        return dataclasses.replace(
            change, field=capfirst(force_str(field.verbose_name)), old=old, new=new
        )

    def display(self, field, value) -> str:
        if isinstance(value, DeletedObject):
            # simple_history's stand-in for an empty foreign key, too
            return EMPTY if value.pk is None else _("gelöscht")
        if isinstance(value, list) and field.name in self.vocabularies:
            labels = self.vocabularies[field.name]
            return ", ".join(str(labels.get(v, v)) for v in value) or EMPTY
        if isinstance(value, list):
            return ", ".join(str(v) for v in value) or EMPTY
        return display_value(field, value)


class ReadOnlyAdmin:
    """For logs and records that change only through their services: shown, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PortalAdmin(SimpleHistoryAdmin):
    """The base of every model admin with history (see the module's docstring)."""

    object_history_list_template = "admin/kiportal/object_history_list.html"
    object_history_form_template = "admin/kiportal/object_history_form.html"

    # --- workflows: read-only ------------------------------------------------------------

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + [name for name in workflow_fields(self.model) if name not in fields]

    # --- history: read, never revert -----------------------------------------------------

    def revert_disabled(self, request, obj=None):
        return True

    def has_change_history_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple_history saves a POSTed old version even with the button hidden.
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view_title(self, request, obj):
        return _("Änderungsverlauf: %(object)s") % {"object": force_str(obj)}

    def history_form_view_title(self, request, obj):
        return _("Frühere Fassung: %(object)s") % {"object": force_str(obj)}

    def get_historical_record_context_helper(self, request, historical_record):
        vocabularies = {
            name: {str(code): label for code, label in field.choices}
            for name, field in self.form.base_fields.items()
            if isinstance(field, forms.MultipleChoiceField)
        }
        return ReadableHistoryHelper(self.model, historical_record, vocabularies=vocabularies)

    def render_history_view(self, request, template, context, **kwargs):
        for record in getattr(context.get("page_obj"), "object_list", ()):
            record.history_user_name = person_name(record.history_user)
        return super().render_history_view(request, template, context, **kwargs)


class GermanExportForm(SelectableFieldsExportForm):
    """The export's column choice labelled with the file's column names."""

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource.fields.get(field_name)
        if field is None:
            return super()._get_field_label(resource, field_name)
        if field.column_name and field.column_name != field_name:
            return str(field.column_name)
        try:
            model_field = resource._meta.model._meta.get_field(field.attribute or field_name)
        except (FieldDoesNotExist, AttributeError, TypeError):
            return str(field.column_name or field_name)
        return capfirst(force_str(model_field.verbose_name))


class GermanModelResource(ModelResource):
    """A model resource whose file columns are the fields' German labels ("Kreisschlüssel"),
    not their attribute names ("key")."""

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        field.column_name = capfirst(force_str(django_field.verbose_name))
        return field


class PortalImportExportMixin(ImportExportMixin):
    export_form_class = GermanExportForm
