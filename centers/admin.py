"""The ministry's admin: reference data, centres, users, memberships, permissions."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from . import access, admin_axes, services  # noqa: F401  (admin_axes: axes' names in German)
from .admin_base import (
    GermanModelResource,
    PortalAdmin,
    PortalImportExportMixin,
    person_name,
)
from .models import (
    Center,
    ConceptParticipation,
    FundingDecision,
    FundingDecisionLine,
    IntegrationConcept,
    Membership,
    Municipality,
    SchoolAuthority,
    TargetAgreement,
)
from .programmes import BudgetLine, DrawdownDate, Programme, ProgrammeYear
from .workflow.admin import TimelineInline

User = get_user_model()


class MunicipalityResource(GermanModelResource):
    class Meta:
        model = Municipality
        import_id_fields = ["key"]
        fields = ["key", "name", "kind", "region", "member_count"]


@admin.register(Municipality)
class MunicipalityAdmin(PortalImportExportMixin, PortalAdmin):
    resource_classes = [MunicipalityResource]
    list_display = ["key", "name", "kind", "region", "parent", "member_count"]
    list_filter = ["kind", "region"]
    search_fields = ["key", "name"]
    ordering = ["key"]


@admin.register(SchoolAuthority)
class SchoolAuthorityAdmin(PortalAdmin):
    list_display = ["name", "key", "contact_name", "contact_email"]
    search_fields = ["name", "key", "contact_name"]
    filter_horizontal = ["municipalities"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["center", "school_authority"]
    fields = ["role", "center", "school_authority", "function"]


class CenterMembershipInline(admin.TabularInline):
    """Who has which role at the centre — read only: access follows from memberships,
    changed on the membership's or the person's page (through the services, which keep
    the guardian groups in step). guardian's object-permission page, which showed the raw
    groups ("ki:05111:center_lead") and changed them past the memberships, is gone."""

    model = Membership
    fk_name = "center"
    extra = 0
    fields = ["person", "role", "function"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    verbose_name_plural = _("Mitgliedschaften (Zugänge zu diesem Zentrum)")

    @admin.display(description=_("Person"))
    def person(self, membership):
        return person_name(membership.user)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Center)
class CenterAdmin(PortalAdmin):
    list_display = ["name", "key", "sponsor", "region_display", "school_authority", "status"]
    list_filter = ["status", "sponsor__region", "sponsor__kind"]
    list_select_related = ["sponsor", "school_authority"]
    search_fields = ["name", "key", "sponsor__name"]
    autocomplete_fields = ["sponsor", "school_authority"]
    inlines = [CenterMembershipInline]

    @admin.display(description=_("Regierungsbezirk"), ordering="sponsor__region")
    def region_display(self, obj):
        return obj.sponsor.get_region_display()

    def save_model(self, request, obj, form, change):
        services.center_save(center=obj)


@admin.register(Membership)
class MembershipAdmin(PortalAdmin):
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
# Groups are the guardian groups of centre and role ("ki:05111:center_lead"), kept in step
# with the memberships by access.sync_user_groups: the ministry edits memberships, never groups.
admin.site.unregister(Group)


class UserPasswordAdminForm(AdminPasswordChangeForm):
    # Django appends an English sentence to the help text when the class is defined.
    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _("Ist sie deaktiviert, geht das bisherige Passwort dieser Person verloren."),
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """A person's account and, instead of raw groups and permissions, their memberships
    (role at a centre or Schulamt); the groups follow from the memberships."""

    inlines = [MembershipInline]
    change_password_form = UserPasswordAdminForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Persönliche Angaben"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Zugang"),
            {
                "fields": ("is_active", "is_staff", "is_superuser"),
                "description": _(
                    "Rollen und Zentren stehen unten unter „Mitgliedschaften“; die "
                    "Berechtigungen folgen aus ihnen."
                ),
            },
        ),
        (_("Wichtige Daten"), {"fields": ("last_login", "date_joined")}),
    )
    list_filter = ["is_active", "is_staff", "is_superuser", "memberships__role"]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        # Through the services, as in the membership admin: validated, groups in step.
        for membership in formset.save(commit=False):
            services.membership_save(membership=membership)
        for membership in formset.deleted_objects:
            services.membership_revoke(membership=membership)
        return None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A user without memberships (all removed) loses the groups too.
        access.sync_user_groups(form.instance)

    def get_deleted_objects(self, objs, request):
        """The confirmation lists what the person loses, not the rows that tie them to
        groups and permissions ("User-group-Beziehung: User_groups object (329)")."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        hidden = [User.groups.through._meta, User.user_permissions.through._meta]
        prefixes = tuple(f"{capfirst(opts.verbose_name)}: " for opts in hidden)
        plurals = {str(opts.verbose_name_plural) for opts in hidden}

        def keep(items):
            kept = []
            for item in items:
                if isinstance(item, list):
                    kept.append(keep(item))
                elif not str(item).startswith(prefixes):
                    kept.append(item)
            return kept

        counts = {name: n for name, n in counts.items() if str(name) not in plurals}
        return keep(deleted), counts, perms_needed, protected


# --- Integrationskonzept and Landesförderung: the ministry sees and edits all of it --------


class ConceptParticipationInline(admin.TabularInline):
    model = ConceptParticipation
    extra = 0
    fields = ["partner_kind", "partner_name", "involved_on", "note"]


def _run_transition(modeladmin, request, queryset, service, done):
    """Admin actions call the same services as the pages; errors are reported per concept."""
    ok = 0
    for concept in queryset.select_related("center__sponsor"):
        try:
            service(concept=concept, user=request.user)
            ok += 1
        except (ValidationError, PermissionDenied) as exc:
            text = "; ".join(exc.messages) if hasattr(exc, "messages") else str(exc)
            modeladmin.message_user(request, f"{concept}: {text}", level=messages.ERROR)
    if ok:
        modeladmin.message_user(request, done % {"count": ok}, level=messages.SUCCESS)


@admin.register(IntegrationConcept)
class IntegrationConceptAdmin(PortalAdmin):
    list_display = ["title", "center", "number", "status", "resolution_date", "submitted_at"]
    list_filter = ["status", "center__sponsor__region", "resolution_body"]
    list_select_related = ["center"]
    search_fields = ["title", "center__name", "center__key"]
    autocomplete_fields = ["center", "predecessor"]
    readonly_fields = ["document_name", "document_size", "version", "created_at"]
    exclude = ["document"]
    inlines = [ConceptParticipationInline, TimelineInline]
    actions = ["submit_concepts", "approve_concepts", "return_concepts"]

    def save_model(self, request, obj, form, change):
        services.record_admin_save(instance=obj, user=request.user)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            services.record_admin_save(instance=instance, user=request.user)
        for instance in formset.deleted_objects:
            instance._history_user = request.user
            instance.delete()

    @admin.action(description=_("Ausgewählte Konzepte einreichen"))
    def submit_concepts(self, request, queryset):
        _run_transition(
            self, request, queryset, services.concept_submit, _("%(count)s Konzept(e) eingereicht.")
        )

    @admin.action(description=_("Ausgewählte Konzepte bewilligen"))
    def approve_concepts(self, request, queryset):
        _run_transition(
            self, request, queryset, services.concept_approve, _("%(count)s Konzept(e) bewilligt.")
        )

    @admin.action(description=_("Ausgewählte Konzepte mit Begründung zurückgeben"))
    def return_concepts(self, request, queryset):
        """Asks for the reason on an intermediate page, then runs ``concept_return``."""
        reason = (request.POST.get("reason") or "").strip()
        if request.POST.get("confirm") and reason:
            _run_transition(
                self,
                request,
                queryset,
                lambda **kw: services.concept_return(reason=reason, **kw),
                _("%(count)s Konzept(e) zurückgegeben."),
            )
            return None
        if request.POST.get("confirm"):
            self.message_user(
                request, _("Bitte geben Sie einen Grund für die Rückgabe an."), messages.ERROR
            )
        return TemplateResponse(
            request,
            "admin/centers/integrationconcept/return_concepts.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Konzepte zurückgeben"),
                "concepts": queryset.select_related("center"),
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "reason": reason,
            },
        )


class FundingRecordAdmin(PortalAdmin):
    list_select_related = ["center"]
    search_fields = ["center__name", "center__key"]
    autocomplete_fields = ["center"]
    readonly_fields = ["version"]

    def save_model(self, request, obj, form, change):
        services.record_admin_save(instance=obj, user=request.user)


class FundingDecisionLineInline(admin.TabularInline):
    model = FundingDecisionLine
    extra = 0
    fields = ["budget_line", "posts", "amount"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FundingDecision)
class FundingDecisionAdmin(FundingRecordAdmin):
    list_display = [
        "center",
        "programme",
        "year",
        "kind",
        "amount",
        "funded_posts",
        "file_number",
        "decided_on",
    ]
    list_filter = ["year", "programme", "kind", "center__sponsor__region"]
    list_select_related = ["center", "programme"]
    # An Änderungsbescheid or Widerruf is a new decision (the portal's funding pages); the
    # admin corrects a record's facts, never what replaces what.
    readonly_fields = ["version", "kind", "replaces", "document_name"]
    exclude = ["document"]
    inlines = [FundingDecisionLineInline]


@admin.register(TargetAgreement)
class TargetAgreementAdmin(FundingRecordAdmin):
    list_display = ["center", "valid_from", "valid_until", "concluded_on", "document_name"]
    readonly_fields = ["version", "document_name"]
    exclude = ["document"]


# --- funding programmes (issue 12): reference data the ministry keeps per budget year ----


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0
    fields = [
        "position",
        "name",
        "guideline_ref",
        "post_kind",
        "center_kind",
        "max_posts",
        "cap_per_post",
        "flat_cap",
    ]


class DrawdownDateInline(admin.TabularInline):
    model = DrawdownDate
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(PortalAdmin):
    list_display = ["name", "code", "guideline", "position"]
    search_fields = ["name", "code"]


@admin.register(ProgrammeYear)
class ProgrammeYearAdmin(PortalAdmin):
    list_display = ["programme", "year", "application_from", "application_until", "proof_due"]
    list_filter = ["year", "programme"]
    list_select_related = ["programme"]
    inlines = [BudgetLineInline, DrawdownDateInline]
    actions = ["copy_to_next_year"]

    @admin.action(description=_("In das folgende Haushaltsjahr übernehmen"))
    def copy_to_next_year(self, request, queryset):
        done = 0
        for programme_year in queryset.select_related("programme"):
            try:
                services.programme_year_copy(
                    programme_year=programme_year, year=programme_year.year + 1, user=request.user
                )
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, _("%(count)s Programmjahr(e) übernommen.") % {"count": done})


# --- The legal pages and accessibility feedback (issue 14) ---------------------------------

from django.db import models  # noqa: E402

from .legal import AccessibilityFeedback, LegalPage, LegalPageKind  # noqa: E402


@admin.register(LegalPage)
class LegalPageAdmin(PortalAdmin):
    """One page per kind; the ministry edits title, text, "Stand" and the DGS video link."""

    list_display = ["kind", "title", "as_of", "sign_language_video_url"]
    fields = ["kind", "title", "as_of", "body", "sign_language_video_url"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_readonly_fields(self, request, obj=None):
        return ["kind"] if obj else []

    def has_add_permission(self, request):
        missing = set(LegalPageKind.values) - set(LegalPage.objects.values_list("kind", flat=True))
        return bool(missing) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessibilityFeedback)
class AccessibilityFeedbackAdmin(admin.ModelAdmin):
    """What users reported from the accessibility statement: read and delete only."""

    list_display = ["created_at", "name", "email", "page"]
    search_fields = ["message", "name", "email"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
