"""The ministry's view of the Einsatzmanagement. Workflow states change only
through the services (the portal pages), so they are read-only here."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from centers.admin_base import PortalAdmin
from centers.workflow.admin import TimelineInline

from .models import DeploymentPlan, Focus, FocusAllocation, ReviewComment
from .vocabularies import PartnerKind, Programme, TargetGroup


def _choice(label, vocabulary):
    return forms.MultipleChoiceField(
        label=label,
        choices=vocabulary.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class FocusAdminForm(forms.ModelForm):
    """The lists of a Schwerpunkt as the portal's form shows them (boxes with labels), not
    as JSON of codes."""

    target_groups = _choice(_("Zielgruppen"), TargetGroup)
    partners = _choice(_("Kooperationspartner"), PartnerKind)
    programmes = _choice(_("Programme"), Programme)

    class Meta:
        model = Focus
        # The admin passes every field of the page; these are the ones replaced here.
        fields = ["target_groups", "partners", "programmes"]


class FocusInline(admin.StackedInline):
    model = Focus
    extra = 0
    fields = ["position", "title", "basic_component", "field", "stage", "goal", "shared"]
    readonly_fields = ["basic_component"]
    show_change_link = True


@admin.register(DeploymentPlan)
class DeploymentPlanAdmin(PortalAdmin):
    list_display = ["center", "period_start", "period_end", "revision", "is_current", "status"]
    list_filter = ["status", "period_start", "is_current", "center__sponsor__region"]
    search_fields = ["center__name", "center__key"]
    list_select_related = ["center"]
    # State, stamps and version are the workflow's (PortalAdmin); these are the revisions'.
    readonly_fields = ["revision", "is_current", "predecessor"]
    inlines = [FocusInline, TimelineInline]


@admin.register(Focus)
class FocusAdmin(PortalAdmin):
    form = FocusAdminForm
    list_display = ["title", "plan", "field", "stage", "basic_component", "shared"]
    list_filter = ["field", "stage", "shared", "basic_component"]
    search_fields = ["title", "goal", "plan__center__name"]
    list_select_related = ["plan__center"]
    readonly_fields = ["plan", "basic_component", "copied_from", "version"]


@admin.register(FocusAllocation)
class FocusAllocationAdmin(PortalAdmin):
    list_display = ["focus", "assignment", "fte"]
    list_select_related = ["focus", "assignment__member", "assignment__post"]
    raw_id_fields = ["focus", "assignment"]


@admin.register(ReviewComment)
class ReviewCommentAdmin(PortalAdmin):
    list_display = ["plan", "author", "author_kind", "created_at", "escalated_at", "resolved_at"]
    list_filter = ["author_kind"]
    list_select_related = ["plan__center", "author"]
    raw_id_fields = ["plan", "focus", "parent", "author", "escalated_by", "resolved_by"]
