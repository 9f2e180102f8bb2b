"""The ministry's admin: reference data, centres, users, memberships, permissions."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdminMixin
from import_export import resources
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from . import access, services
from .models import Center, Membership, Municipality, SchoolAuthority

User = get_user_model()


class MunicipalityResource(resources.ModelResource):
    class Meta:
        model = Municipality
        import_id_fields = ["key"]
        fields = ["key", "name", "kind", "region", "member_count"]


@admin.register(Municipality)
class MunicipalityAdmin(ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [MunicipalityResource]
    list_display = ["key", "name", "kind", "region", "parent", "member_count"]
    list_filter = ["kind", "region"]
    search_fields = ["key", "name"]
    ordering = ["key"]


@admin.register(SchoolAuthority)
class SchoolAuthorityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "key", "contact_name", "contact_email"]
    search_fields = ["name", "key", "contact_name"]
    filter_horizontal = ["municipalities"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["center", "school_authority"]
    fields = ["role", "center", "school_authority", "function"]


@admin.register(Center)
class CenterAdmin(GuardedModelAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "key", "sponsor", "region_display", "school_authority", "status"]
    list_filter = ["status", "sponsor__region", "sponsor__kind"]
    list_select_related = ["sponsor", "school_authority"]
    search_fields = ["name", "key", "sponsor__name"]
    autocomplete_fields = ["sponsor", "school_authority"]

    @admin.display(description=_("Regierungsbezirk"), ordering="sponsor__region")
    def region_display(self, obj):
        return obj.sponsor.get_region_display()

    def save_model(self, request, obj, form, change):
        services.center_save(center=obj)


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "center", "school_authority", "function", "created_at"]
    list_filter = ["role", "center__sponsor__region"]
    list_select_related = ["user", "center", "school_authority"]
    search_fields = ["user__username", "user__last_name", "center__name", "school_authority__name"]
    autocomplete_fields = ["user", "center", "school_authority"]

    def save_model(self, request, obj, form, change):
        services.membership_save(membership=obj)

    def delete_model(self, request, obj):
        services.membership_revoke(membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user"):
            services.membership_revoke(membership=membership)


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Memberships edited inline: the guardian groups follow in this transaction.
        access.sync_user_groups(form.instance)
