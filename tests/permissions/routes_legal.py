"""The legal pages (issue 14): public, the same for everyone."""

from .registry import ALL_ROLES, Route, ok

ROUTES = [
    Route(name, public=True, scoped=False, allowed=ok(*ALL_ROLES))
    for name in (
        "legal_accessibility",
        "legal_privacy",
        "legal_imprint",
        "legal_easy_language",
    )
]
