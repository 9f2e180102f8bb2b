"""Permission entries of the funding overview pages (issue 12)."""

ROUTES = []
