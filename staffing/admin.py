"""The ministry's admin for staffing: quotas (Nr. 3.7), posts, people, assignments,
exceptions, and the staffing-list import/export (django-import-export).

The Nr. 3.4 value is never shown here: the ministry sees it only as a state-wide
aggregate (staffing page "Personal landesweit").
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.tmp_storages import CacheStorage

from centers.admin_base import PortalAdmin, PortalImportExportMixin, ReadOnlyAdmin
from centers.fields import GermanDateField
from centers.models import Center

from . import services, spreadsheet
from .models import (
    PERSON_FIELDS,
    Assignment,
    Post,
    PostKind,
    QualificationException,
    RetentionRun,
    SensitiveDataAccess,
    StaffingQuota,
    StaffMember,
)
from .resources import GermanCSV, GermanXLSX, StaffingListResource


class QuotaFteInput(forms.TextInput):
    """The Soll as "2,50" in a field wide enough for it (the list's number field clipped it)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "size": 6, "class": "quota-fte", **(attrs or {})})


class StaffingQuotaAdminForm(forms.ModelForm):
    """The quota's own checks plus the sequence's (``services.quota_validate``): the admin's
    form and its list show the same German messages the service would raise."""

    class Meta:
        model = StaffingQuota
        fields = ["center", "kind", "fte", "valid_from", "valid_to", "note"]
        field_classes = {"valid_from": GermanDateField, "valid_to": GermanDateField}
        widgets = {"fte": QuotaFteInput}
        localized_fields = ["fte"]

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            services.quota_validate(self.instance)
        except ValidationError as exc:
            self._update_errors(exc)


class CentersFilterSelect(FilteredSelectMultiple):
    """The centre lists beside their label (SelectFilter2 puts them first in the select's
    parent element: the box keeps them after the label)."""

    template_name = "admin/widgets/select_filter_box.html"


class QuotasSetForm(forms.Form):
    """Nr. 3.7: a new Soll for many centres from one date."""

    centers = forms.ModelMultipleChoiceField(
        label=_("Zentren"),
        queryset=Center.objects.select_related("sponsor").order_by("name"),
        widget=CentersFilterSelect(_("Zentren"), is_stacked=False),
    )
    kind = forms.ChoiceField(label=_("Stellenart"), choices=PostKind.choices)
    fte = forms.DecimalField(
        label=_("Soll (VZÄ)"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        localize=True,
        widget=QuotaFteInput,
    )
    valid_from = GermanDateField(
        label=_("gültig ab"),
        help_text=_("Das bisherige Soll der Zentren endet am Tag davor."),
    )
    note = forms.CharField(label=_("Anmerkung"), max_length=200, required=False)


@admin.register(StaffingQuota)
class StaffingQuotaAdmin(PortalAdmin):
    form = StaffingQuotaAdminForm
    # One column for the period and the note only on the form: the whole row, with the
    # editable Soll, fits beside the filters.
    list_display = ["center", "kind", "fte", "period"]
    list_editable = ["fte"]
    list_filter = ["kind", "center__sponsor__kind", "center__sponsor__region"]
    list_select_related = ["center"]
    search_fields = ["center__name", "center__key"]
    autocomplete_fields = ["center"]
    actions = ["materialize_defaults"]
    change_list_template = "admin/staffing/staffingquota/change_list.html"

    @admin.display(description=_("Zeitraum"), ordering="valid_from")
    def period(self, quota):
        start = formats.date_format(quota.valid_from, "d.m.Y")
        if quota.valid_to is None:
            return _("ab %(start)s") % {"start": start}
        end = formats.date_format(quota.valid_to, "d.m.Y")
        return _("%(start)s bis %(end)s") % {"start": start, "end": end}

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=StaffingQuotaAdminForm, **kwargs)

    def save_model(self, request, obj, form, change):
        services.quota_save(quota=obj, user=request.user)

    def get_urls(self):
        return [
            path(
                "mehrere-zentren/",
                self.admin_site.admin_view(self.set_for_many_view),
                name="staffing_staffingquota_set_many",
            ),
            *super().get_urls(),
        ]

    def set_for_many_view(self, request):
        """ "Neues Soll für mehrere Zentren ab Datum": one service call, one transaction."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = QuotasSetForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                quotas = services.quotas_set(
                    centers=data["centers"],
                    kind=data["kind"],
                    fte=data["fte"],
                    valid_from=data["valid_from"],
                    note=data["note"],
                    user=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "Neues Soll für %(count)d Zentrum ab %(date)s gespeichert.",
                        "Neues Soll für %(count)d Zentren ab %(date)s gespeichert.",
                        len(quotas),
                    )
                    % {"count": len(quotas), "date": data["valid_from"].strftime("%d.%m.%Y")},
                    messages.SUCCESS,
                )
                return redirect("admin:staffing_staffingquota_changelist")
        admin_form = helpers.AdminForm(
            form, [(None, {"fields": list(form.fields)})], {}, model_admin=self
        )
        return TemplateResponse(
            request,
            "admin/staffing/staffingquota/set_many.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Neues Soll für mehrere Zentren ab Datum"),
                "opts": self.model._meta,
                "adminform": admin_form,
                "errors": helpers.AdminErrorList(form, []),
                "media": self.media + form.media,
            },
        )

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
class PostAdmin(PortalAdmin):
    form = PostAdminForm
    list_display = ["__str__", "center", "kind", "fte", "funding_source", "valid_from", "valid_to"]
    list_filter = ["kind", "funding_source", "center__sponsor__region"]
    list_select_related = ["center"]
    search_fields = ["label", "center__name", "center__key"]
    autocomplete_fields = ["center"]


@admin.register(StaffMember)
class StaffMemberAdmin(PortalAdmin):
    # Nr. 3.4: immigration_history is deliberately absent from every admin view.
    fields = ["center", *PERSON_FIELDS]
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
class AssignmentAdmin(PortalImportExportMixin, PortalAdmin):
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
class QualificationExceptionAdmin(PortalAdmin):
    list_display = ["member", "kind", "status", "proposed_on", "decided_on"]
    list_filter = ["status", "kind"]
    list_select_related = ["member"]
    search_fields = ["member__last_name", "member__email"]
    autocomplete_fields = ["member", "proposed_by"]


@admin.register(SensitiveDataAccess)
class SensitiveDataAccessAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """The access log of Nr. 3.4 values: who, whom, when — never the value. Read-only."""

    list_display = ["at", "user", "member", "action"]
    list_filter = ["action"]
    list_select_related = ["user", "member"]
    search_fields = ["user__username", "member__last_name"]


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """The log of the retention jobs (anonymised people, deleted documents). Read-only."""

    list_display = ["at", "kind", "run_on", "cutoff", "count"]
    list_filter = ["kind"]
    date_hierarchy = "run_on"
