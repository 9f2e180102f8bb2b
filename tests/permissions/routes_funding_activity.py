"""Permission entries of the funding activity pages (issue 12)."""

ROUTES = []
