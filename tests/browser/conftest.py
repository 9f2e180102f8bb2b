"""Browser tests: Playwright in Debian's Chromium against pytest-django's live server.

Every test in ``tests/browser/`` is marked ``browser`` (run them alone with
``uv run pytest -m browser``, leave them out with ``-m "not browser"``).

What a browser test gets
========================
Just ask for Playwright's ``page`` (plus the helpers below). Automatically:

- ``base_url`` is the live server, so ``page.goto("/zentren/")`` works with paths.
- The database holds the NRW reference data and the complete ``seed_demo``
  data (all apps' ``demo.py``) before *each* test, demo users included
  (``ki-koeln-leitung``, ``ki-koeln``, ``traeger-koeln``, ``schulamt-koeln``,
  ``lasi``, ``bewilligung``, ``ministerium``, ``…-bonn``, ``…-mettmann``).
  The live server needs a transactional database, which pytest-django flushes
  after every test. Seeding takes 5–25 s, so the first browser test of the
  session runs ``seed_demo`` and takes a snapshot of every table; each later
  test gets the snapshot back by raw SQL (``COPY`` on PostgreSQL): ~0.3 s on
  SQLite, ~0.6 s on PostgreSQL. Tests may change data freely: the next test
  starts clean. Create extra objects with the ORM or the factories inside the
  test as usual (the live server sees them at once: no transaction wraps the
  test). Look objects up by natural key (``Center.key``, ``username``), never
  by id. The fictitious demo people have no usable password; to log in as one,
  ``user.set_password(settings.DEMO_PASSWORD); user.save()`` first.
- The browser context speaks German (``de-DE``, Europe/Berlin), has a
  1280×900 viewport and a 10 s timeout per action (failures come fast).

Helpers (fixtures that return a function)
=========================================
``login(page, username, password=None)``
    Logs in through the real login form (django-axes sees it) with
    ``settings.DEMO_PASSWORD`` and waits until the portal has left the login
    page. Fails with the page's error message if the login did not work.
    Clears the context's cookies first, so calling it again switches users
    within one test (e.g. the Leitung submits, then the Schulamt reviews).

``shot(page, name)``
    Saves a full-page PNG as ``screenshots/<name>.png`` (git-ignored) and
    returns the path. Take one of every page you build and LOOK at it.

``assert_accessible(page, *, context=None, disable_rules=())``
    Runs axe-core (axe-playwright-python) on the current page and fails on
    any violation of impact ``serious`` or ``critical``, listing rule, help
    text, and the offending elements. ``context`` is an axe selector to
    limit the check; disabling rules needs a reason in a comment.

Example::

    def test_leitung_sees_the_staff_list(page, login, shot, assert_accessible):
        login(page, "ki-koeln-leitung")
        page.goto("/personal/05315/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Personal")
        shot(page, "staffing-list")
        assert_accessible(page)

Use ``playwright.sync_api.expect`` (it waits, up to 5 s) for assertions on the
page; ``page.goto`` returns the response (``.status`` for 404 checks). Prefer
roles and labels (``get_by_role``, ``get_by_label``) to CSS selectors: that
tests the accessible names as well. Keep each test to a few page loads: a
page load costs ~0.3 s, ``shot`` ~0.5–1.5 s, ``assert_accessible`` ~1–2 s.

The strict CSP (``script-src 'self'``) does not stop axe: Playwright's
``page.evaluate`` is not subject to CSP, so no ``bypass_csp`` is needed, and
the pages are tested under the policy production sends.

Chromium
========
``/usr/bin/chromium`` (``apt-get install -y chromium``; never
``playwright install``). Without it the tests are skipped with a reason —
except when ``CI`` is set: then they fail, because CI must run them.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "screenshots"
BLOCKING_IMPACTS = ("serious", "critical")
ACTION_TIMEOUT_MS = 10_000

_BROWSER_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _BROWSER_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --- Chromium and the browser context ---------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} fehlt: apt-get install -y chromium (niemals 'playwright install')."
        if os.environ.get("CI"):
            pytest.fail(f"CI muss die Browsertests ausführen. {message}", pytrace=False)
        pytest.skip(message)
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, started with a MEDIA_URL.

    Django's live server thread wraps the site in a media-file handler built
    from ``settings.MEDIA_URL``; the portal sets it to ``None`` (uploads are
    private, served only by views that check access), which makes that handler
    crash on every request. The handler is built when the thread starts, so a
    MEDIA_URL nothing links to is set just for that moment.
    """
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    with override_settings(MEDIA_URL="/__live-server-media__/"):
        server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "de-DE",
        "timezone_id": "Europe/Berlin",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture(autouse=True)
def _page_cache(settings):
    """The browser walks the portal as in production: pages answered from the cache."""
    settings.PAGE_CACHE = True


@pytest.fixture(autouse=True)
def _fast_failures(context):
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(ACTION_TIMEOUT_MS)


# --- demo data: seed once, restore a snapshot before every test --------------------


@dataclass
class _Table:
    name: str
    columns: list[str]
    rows: list[tuple] | bytes  # rows (SQLite) or COPY text (PostgreSQL)


_snapshots: dict[str, list[_Table]] = {}
_timings: dict[str, list[float]] = {"seed": [], "restore": []}


def _table_names() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _take_snapshot() -> list[_Table]:
    tables = []
    with connection.cursor() as cursor:
        for name in _table_names():
            qn = connection.ops.quote_name(name)
            columns = [
                col.name for col in connection.introspection.get_table_description(cursor, name)
            ]
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {qn} TO STDOUT") as copy:
                    data = b"".join(bytes(block) for block in copy)
                tables.append(_Table(name, columns, data))
            else:
                cols = ", ".join(connection.ops.quote_name(c) for c in columns)
                cursor.execute(f"SELECT {cols} FROM {qn}")
                tables.append(_Table(name, columns, cursor.fetchall()))
    return tables


def _restore_snapshot(tables: list[_Table]) -> None:
    qn = connection.ops.quote_name
    # Foreign keys are DEFERRABLE INITIALLY DEFERRED on both backends, so the
    # order of tables does not matter inside one transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        # DELETE, not TRUNCATE: after the flush almost every table is empty, and
        # PostgreSQL's TRUNCATE costs the same for an empty table as for a full one.
        for table in tables:
            cursor.execute(f"DELETE FROM {qn(table.name)}")
        if connection.vendor == "postgresql":
            for table in tables:
                if table.rows:
                    with cursor.cursor.copy(f"COPY {qn(table.name)} FROM STDIN") as copy:
                        copy.write(table.rows)
        else:
            for table in tables:
                if table.rows:
                    cols = ", ".join(qn(c) for c in table.columns)
                    marks = ", ".join(["%s"] * len(table.columns))
                    cursor.executemany(
                        f"INSERT INTO {qn(table.name)} ({cols}) VALUES ({marks})", table.rows
                    )
    # The flush recreated content types and permissions with other ids; the
    # snapshot put the old ones back.
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _demo_data(live_server, transactional_db):
    key = f"{connection.vendor}:{connection.settings_dict['NAME']}"
    started = time.perf_counter()
    if key not in _snapshots:
        call_command("seed_demo", stdout=StringIO())
        _timings["seed"].append(time.perf_counter() - started)
        _snapshots[key] = _take_snapshot()
    else:
        _restore_snapshot(_snapshots[key])
        _timings["restore"].append(time.perf_counter() - started)


# --- helpers -------------------------------------------------------------------


@pytest.fixture
def login():
    from playwright.sync_api import expect

    def _login(page, username: str, password: str | None = None):
        # A signed-in user would be sent on from the login page: start signed out,
        # so one test can switch users.
        page.context.clear_cookies()
        page.goto("/accounts/login/")
        page.get_by_label("Benutzername").fill(username)
        page.get_by_label("Passwort").fill(password or settings.DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Anmelden").click()
        if "/accounts/login/" in page.url:
            errors = page.locator(".form-errors, .error").all_inner_texts()
            pytest.fail(f"Anmeldung als {username!r} fehlgeschlagen: {errors}", pytrace=False)
        expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
        return page

    return _login


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(exist_ok=True)

    def _shot(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


def _describe(violation: dict) -> str:
    lines = [
        f"- {violation['id']} ({violation['impact']}): {violation['help']}",
        f"  {violation['helpUrl']}",
    ]
    for node in violation["nodes"][:10]:
        target = ", ".join(str(t) for t in node["target"])
        lines.append(f"  * {target}")
        lines.append(f"    {node['html'][:200]}")
        if node.get("failureSummary"):
            summary = " ".join(node["failureSummary"].split())
            lines.append(f"    {summary[:300]}")
    if len(violation["nodes"]) > 10:
        lines.append(f"  … und {len(violation['nodes']) - 10} weitere Elemente")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def assert_accessible(_axe):
    def _assert_accessible(page, *, context=None, disable_rules=()):
        options = {"resultTypes": ["violations"]}
        if disable_rules:
            options["rules"] = {rule: {"enabled": False} for rule in disable_rules}
        results = _axe.run(page, context=context, options=options)
        blocking = [
            v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS
        ]
        if blocking:
            report = "\n".join(_describe(v) for v in blocking)
            pytest.fail(
                f"axe-core: {len(blocking)} schwere Barrierefreiheitsfehler auf {page.url}\n{report}",
                pytrace=False,
            )
        return results

    return _assert_accessible


def pytest_terminal_summary(terminalreporter):
    seeds, restores = _timings["seed"], _timings["restore"]
    if seeds:
        line = f"Browsertests: Demodaten einmal angelegt in {sum(seeds):.1f} s"
        if restores:
            line += (
                f", {len(restores)}× wiederhergestellt in je {sum(restores) / len(restores):.2f} s"
                f" (höchstens {max(restores):.2f} s)"
            )
        terminalreporter.write_line(line)
