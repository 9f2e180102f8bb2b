"""``{{ concept|absolute_url }}`` in mail templates: links that can be clicked."""

from django import template

from centers.notifications import absolute_url as _absolute_url

register = template.Library()


@register.filter
def absolute_url(path_or_obj) -> str:
    """``SITE_URL`` plus an object's ``get_absolute_url()`` or a path."""
    return _absolute_url(path_or_obj)
