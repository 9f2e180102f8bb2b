"""The timeline in the admin: read-only, on every workflow object's page."""

from django.contrib.contenttypes.admin import GenericTabularInline

from .models import TimelineEvent


class TimelineInline(GenericTabularInline):
    model = TimelineEvent
    ct_field, ct_fk_field = "content_type", "object_id"
    extra = 0
    can_delete = False
    fields = ["at", "kind_label", "actor", "note"]
    readonly_fields = fields

    @staticmethod
    def kind_label(event):
        return event.get_kind_display()

    def has_add_permission(self, request, obj=None):
        return False
