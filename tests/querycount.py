"""The query-count guard: a page answers with the same number of SQL queries
at N and 10×N objects (DESIGN.md §7 "Speed")."""

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

from centers import dataversion


def count_queries(client, url: str) -> tuple[int, list[str]]:
    """The queries of one request with nothing cached from the data: the session is warm
    (renewed at most once a minute), but grants, to-do counts and charts are computed afresh
    (``centers.dataversion``) — the worst case, which must not grow with the data."""
    client.get(url)
    dataversion.bump()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        # Streaming or lazily rendered content is consumed inside the context.
        response.content  # noqa: B018
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def assert_constant_queries(
    client, url: str, grow: Callable[[int], None], *, base: int = 1, factor: int = 10
) -> tuple[int, int]:
    """``grow(k)`` adds k units of data (e.g. k people per centre). The page is
    measured after ``base`` units and again after ``base * factor`` units."""
    grow(base)
    small, _ = count_queries(client, url)
    grow(base * factor - base)
    large, sql = count_queries(client, url)
    assert small == large, (
        f"{url}: {small} Abfragen bei {base}×, {large} bei {base * factor}× Daten.\n"
        + "\n".join(sql)
    )
    return small, large
