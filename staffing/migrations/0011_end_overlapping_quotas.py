"""Quotas stored before ``services.quota_save`` kept the sequence (issue 14): a centre could
have two open-ended Soll rows of one post kind (Mettmann: two for Lehrkraft), so two
values were in force at once. For each centre and post kind, every quota that reaches
into the next one's start now ends the day before it (Nr. 3.7: a new Soll replaces the
old one from its date) — what ``quota_save`` does for every new quota. Each change is
recorded in the quota's history, by the system."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone

REASON = "Überschneidung beendet (Nachfolger ab Folgetag)"


def end_overlaps(apps, schema_editor):
    StaffingQuota = apps.get_model("staffing", "StaffingQuota")
    HistoricalStaffingQuota = apps.get_model("staffing", "HistoricalStaffingQuota")
    now = timezone.now()
    previous, ended = None, []
    for quota in StaffingQuota.objects.order_by("center_id", "kind", "valid_from", "pk"):
        same_sequence = previous is not None and (previous.center_id, previous.kind) == (
            quota.center_id,
            quota.kind,
        )
        if same_sequence and (previous.valid_to is None or previous.valid_to >= quota.valid_from):
            previous.valid_to = quota.valid_from - timedelta(days=1)
            ended.append(previous)
        previous = quota
    if not ended:
        return
    StaffingQuota.objects.bulk_update(ended, ["valid_to"], batch_size=500)
    HistoricalStaffingQuota.objects.bulk_create(
        [
            HistoricalStaffingQuota(
                id=quota.pk,
                center_id=quota.center_id,
                kind=quota.kind,
                fte=quota.fte,
                valid_from=quota.valid_from,
                valid_to=quota.valid_to,
                note=quota.note,
                history_date=now,
                history_type="~",
                history_user=None,
                history_change_reason=REASON,
            )
            for quota in ended
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("staffing", "0010_retention"),
    ]

    operations = [
        migrations.RunPython(end_overlaps, migrations.RunPython.noop, elidable=True),
    ]
