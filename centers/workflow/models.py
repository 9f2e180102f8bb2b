"""The workflow kernel's two model shapes: the versioned lock and the timeline.

``Versioned`` is the optimistic lock every object that two people may edit at once
carries (``centers.locking.claim_version`` bumps it). ``TimelineEvent`` is the one
timeline: each transition (and a few other steps such as an upload) of a concept, plan,
report or qualification exception, with who, when and a note — one table, so that a
centre's activity feed is one query.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Versioned(models.Model):
    """The optimistic lock: the second of two concurrent saves gets a conflict."""

    version = models.PositiveIntegerField(_("Bearbeitungsstand"), default=0, editable=False)

    class Meta:
        abstract = True


class TimelineEventQuerySet(models.QuerySet):
    def of(self, obj) -> TimelineEventQuerySet:
        """The timeline of one object, oldest first."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
        ).order_by("at", "pk")


class TimelineEvent(models.Model):
    """One step in the life of a workflow object (``subject``)."""

    center = models.ForeignKey(
        "centers.Center",
        verbose_name=_("Zentrum"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="timeline_events",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("Schritt"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("durch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("am"), default=timezone.now)
    note = models.TextField(_("Vermerk"), blank=True)

    objects = TimelineEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("Verlaufseintrag")
        verbose_name_plural = _("Verlauf")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"]),
            models.Index(fields=["center", "at"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.at:%d.%m.%Y})"

    def get_kind_display(self) -> str:
        from .transitions import event_label

        return event_label(self.content_type_id, self.kind)
