"""Shared by the migrations that fold the per-workflow event tables into
``TimelineEvent`` (centers 0005, deployment 0003)."""


def copy_events(apps, *, app_label, model, source, fk, kind_field, actor_field):
    """Rows of the old per-workflow event table become TimelineEvent rows of the
    same object, with the same time, actor and note (issue 11: one timeline)."""
    Old = apps.get_model(app_label, source)
    if not Old.objects.exists():
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    TimelineEvent = apps.get_model("centers", "TimelineEvent")
    content_type, _created = ContentType.objects.get_or_create(app_label=app_label, model=model)
    rows = Old.objects.select_related(fk).order_by("pk")
    TimelineEvent.objects.bulk_create(
        [
            TimelineEvent(
                center_id=getattr(row, fk).center_id,
                content_type=content_type,
                object_id=getattr(row, f"{fk}_id"),
                kind=getattr(row, kind_field),
                actor_id=getattr(row, f"{actor_field}_id"),
                at=row.at,
                note=row.note,
            )
            for row in rows.iterator()
        ],
        batch_size=1000,
    )

