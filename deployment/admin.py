"""The ministry's view of the Einsatzmanagement. Workflow states change only
through the services (the portal pages), so they are read-only here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from centers.workflow.admin import TimelineInline

from .models import DeploymentPlan, Focus, FocusAllocation, ReviewComment


class FocusInline(admin.StackedInline):
    model = Focus
    extra = 0
    fields = ["position", "title", "basic_component", "field", "stage", "goal", "shared"]
    readonly_fields = ["basic_component"]
    show_change_link = True


@admin.register(DeploymentPlan)
class DeploymentPlanAdmin(SimpleHistoryAdmin):
    list_display = ["center", "period_start", "period_end", "revision", "is_current", "status"]
    list_filter = ["status", "period_start", "is_current", "center__sponsor__region"]
    search_fields = ["center__name", "center__key"]
    list_select_related = ["center"]
    readonly_fields = [
        "status",
        "revision",
        "is_current",
        "predecessor",
        "submitted_at",
        "agreed_at",
        "agreed_by",
        "reported_at",
        "acknowledged_at",
        "version",
    ]
    inlines = [FocusInline, TimelineInline]


@admin.register(Focus)
class FocusAdmin(SimpleHistoryAdmin):
    list_display = ["title", "plan", "field", "stage", "basic_component", "shared"]
    list_filter = ["field", "stage", "shared", "basic_component"]
    search_fields = ["title", "goal", "plan__center__name"]
    list_select_related = ["plan__center"]
    readonly_fields = ["plan", "basic_component", "copied_from", "version"]


@admin.register(FocusAllocation)
class FocusAllocationAdmin(SimpleHistoryAdmin):
    list_display = ["focus", "assignment", "fte"]
    list_select_related = ["focus", "assignment__member", "assignment__post"]
    raw_id_fields = ["focus", "assignment"]


@admin.register(ReviewComment)
class ReviewCommentAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "author", "author_kind", "created_at", "escalated_at", "resolved_at"]
    list_filter = ["author_kind"]
    list_select_related = ["plan__center", "author"]
    raw_id_fields = ["plan", "focus", "parent", "author", "escalated_by", "resolved_by"]
