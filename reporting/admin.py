"""The ministry's view of reports and sent reminders: read-only.

Reports change state only through ``reporting.services`` (request, render,
submit, acknowledge); the admin shows them with their history.
"""

from django.contrib import admin

from centers.admin_base import PortalAdmin, ReadOnlyAdmin

from .models import Reminder, Report


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin, PortalAdmin):
    list_display = ["__str__", "status", "number", "requested_at", "generated_at", "page_count"]
    list_filter = ["kind", "status", "period_start"]
    search_fields = ["center__name", "center__key", "sha256"]
    list_select_related = ["center"]
    date_hierarchy = "requested_at"
    # Files have no URL (private storage): downloads go through the access-checked view.
    exclude = ["file_token", "file", "xlsx_file"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["kind", "center", "due_on", "sent_at"]
    list_filter = ["kind", "due_on"]
    search_fields = ["center__name"]
    list_select_related = ["center"]
