"""Navigation by capability: the base layout shows only what the user may use."""

from functools import partial

from django.utils.functional import SimpleLazyObject

from . import todo
from .access import Capability, capabilities_anywhere, has_state_perm


def _flags(user) -> dict[str, bool]:
    held = capabilities_anywhere(user)  # one query for every flag
    return {
        "state_overview": has_state_perm(user, Capability.VIEW_STATE_OVERVIEW),
        "review_concepts": has_state_perm(user, Capability.REVIEW_CONCEPT),
        # Teacher posts are the widest staffing view (the Schulaufsicht's).
        "staffing": Capability.VIEW_TEACHER_POSTS in held,
        "plans": Capability.VIEW_PLAN in held,
        "reports": Capability.VIEW_REPORTS in held,
        "funding": Capability.VIEW_FUNDING in held,
        "admin": user.is_staff,
    }


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: pages without the navigation (downloads, htmx fragments) pay nothing.
    return {
        "nav": SimpleLazyObject(lambda: _flags(user)),
        # The number of open tasks next to "Übersicht": a callable, so the template computes
        # it only where it shows it, once per request (centers.todo).
        "open_task_count": partial(todo.count_for_request, request),
    }
