"""The ministry's admin for staffing: quotas (Nr. 3.7), posts, people, assignments,
exceptions, and the staffing-list import/export (django-import-export).

The Nr. 3.4 value is never shown here: the ministry sees it only as a state-wide
aggregate (staffing page "Personal landesweit").
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.tmp_storages import CacheStorage
from simple_history.admin import SimpleHistoryAdmin

from . import services, spreadsheet
from .models import (
    Assignment,
    Post,
    QualificationException,
    SensitiveDataAccess,
    StaffingQuota,
    StaffMember,
)
from .resources import GermanCSV, GermanXLSX, StaffingListResource


@admin.register(StaffingQuota)
class StaffingQuotaAdmin(SimpleHistoryAdmin):
    list_display = ["center", "kind", "fte", "valid_from", "valid_to", "note"]
    list_editable = ["fte"]
    list_filter = ["kind", "center__sponsor__kind", "center__sponsor__region"]
    list_select_related = ["center"]
    search_fields = ["center__name", "center__key"]
    autocomplete_fields = ["center"]
    actions = ["materialize_defaults"]

    @admin.action(description=_("Fehlende Standardwerte (data/default_quotas.csv) anlegen"))
    def materialize_defaults(self, request, queryset):
        created = services.quotas_materialize(valid_from=timezone.localdate())
        messages.success(request, _("%(n)d Stellensoll-Einträge angelegt.") % {"n": created})


class _ValidatedByServiceForm(forms.ModelForm):
    """An admin form that checks with the portal's rules (``validate``): the admin
    cannot store what the forms and the import refuse."""

    validate = None  # a service function taking the unsaved instance

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        instance = self.instance
        for name in self.Meta.fields:
            setattr(instance, name, data.get(name))
        try:
            type(self).validate(instance)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        return data


class PostAdminForm(_ValidatedByServiceForm):
    # A post's share and period still hold its assignments.
    validate = services.post_validate

    class Meta:
        model = Post
        fields = ["center", "kind", "label", "fte", "funding_source", "valid_from", "valid_to"]


@admin.register(Post)
class PostAdmin(SimpleHistoryAdmin):
    form = PostAdminForm
    list_display = ["__str__", "center", "kind", "fte", "funding_source", "valid_from", "valid_to"]
    list_filter = ["kind", "funding_source", "center__sponsor__region"]
    list_select_related = ["center"]
    search_fields = ["label", "center__name", "center__key"]
    autocomplete_fields = ["center"]


@admin.register(StaffMember)
class StaffMemberAdmin(SimpleHistoryAdmin):
    # Nr. 3.4: immigration_history is deliberately absent from every admin view.
    fields = [
        "center",
        "last_name",
        "first_name",
        "email",
        "employer",
        "qualification",
        "qualification_subject",
    ]
    list_display = ["__str__", "email", "center", "qualification"]
    list_filter = ["qualification", "center__sponsor__region"]
    list_select_related = ["center"]
    search_fields = ["last_name", "first_name", "email", "center__name"]
    autocomplete_fields = ["center"]


class AssignmentAdminForm(_ValidatedByServiceForm):
    # Capacity, Nr. 4.3 and one Leitung at a time, as in the portal's forms and the import.
    validate = services.assignment_validate

    class Meta:
        model = Assignment
        fields = ["member", "post", "fte", "start", "end", "role", "seconding_school"]


@admin.register(Assignment)
class AssignmentAdmin(ImportExportMixin, SimpleHistoryAdmin):
    """The ministry imports and exports staffing lists here, for any centre."""

    form = AssignmentAdminForm
    resource_classes = [StaffingListResource]
    import_formats = [GermanCSV, GermanXLSX]
    export_formats = [GermanCSV, GermanXLSX]
    # The file waits between preview and confirmation in the cache, not in /tmp.
    tmp_storage_class = CacheStorage
    # History rows record every change already.
    skip_admin_log = True
    list_display = ["member", "post", "fte", "start", "end", "role"]
    list_filter = ["role", "post__kind", "post__center__sponsor__region"]
    list_select_related = ["member", "post", "post__center"]
    search_fields = ["member__last_name", "member__email", "post__center__name"]
    autocomplete_fields = ["member", "post"]

    def has_delete_permission(self, request, obj=None):
        # A plan's allocations would be deleted with it (CASCADE): end it instead.
        if obj is not None and services.assignment_delete_refusal(obj) is not None:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # Bulk deletion would skip that check.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, spreadsheet.FileError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)


@admin.register(QualificationException)
class QualificationExceptionAdmin(SimpleHistoryAdmin):
    list_display = ["member", "kind", "status", "proposed_on", "decided_on"]
    list_filter = ["status", "kind"]
    list_select_related = ["member"]
    search_fields = ["member__last_name", "member__email"]
    autocomplete_fields = ["member", "proposed_by", "decided_by"]


@admin.register(SensitiveDataAccess)
class SensitiveDataAccessAdmin(admin.ModelAdmin):
    """The access log of Nr. 3.4 values: who, whom, when — never the value. Read-only."""

    list_display = ["at", "user", "member", "action"]
    list_filter = ["action"]
    list_select_related = ["user", "member"]
    search_fields = ["user__username", "member__last_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
