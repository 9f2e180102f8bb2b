"""Navigation by capability: the base layout shows only what the user may use."""

from .access import has_state_perm


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": {
            "state_overview": has_state_perm(user, "view_state_overview"),
            "admin": user.is_staff,
        }
    }
