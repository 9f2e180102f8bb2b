"""Where the retention job deleted an uploaded file, the page says so and when
(``reporting.funding.retention``): ``{% document_deletions records as deleted %}`` once
per list (one query), then ``{% with deletion=deleted|deletion_of:record %}``."""

from django import template

from reporting.funding.retention import deletions

register = template.Library()


@register.simple_tag
def document_deletions(records) -> dict:
    return deletions(records)


@register.filter
def deletion_of(deleted: dict, record):
    return deleted.get(record.pk)


@register.simple_tag
def document_deletion(record):
    """One record's deletion (a detail page)."""
    return deletions([record]).get(record.pk)
