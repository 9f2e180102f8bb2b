"""The settings behaviour a person relies on: a fresh clone runs on SQLite with
tasks in-process, the production services are picked up from the environment,
the portal speaks German with German dates in Berlin time, idle sessions end,
the security headers are sent, and Celery does not lose a task."""

import datetime as dt
import json
import os
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from centers.models import Role
from kiportal.celery import app as celery_app

# Prints the settings and the Celery configuration a fresh process ends up with.
# It reads no .env file, so a developer's local one cannot change the answer.
PROBE = """
import json
import environ
environ.Env.read_env = classmethod(lambda cls, *args, **kwargs: None)
import django
django.setup()
from django.conf import settings
from kiportal.celery import app
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"],
    "name": str(db["NAME"]),
    "base_dir": str(settings.BASE_DIR),
    "always_eager": app.conf.task_always_eager,
    "broker_url": app.conf.broker_url,
    "cache_backend": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION", ""),
    "language": settings.LANGUAGE_CODE,
    "time_zone": settings.TIME_ZONE,
    "debug": settings.DEBUG,
}))
"""

# What the test run itself may have set (CI exports both) must not leak in.
SERVICE_VARIABLES = {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "DEBUG"}


# The environments a fresh process is started with, one process each.
ENVIRONMENTS = {
    "fresh clone": {},
    "postgresql": {"DATABASE_URL": "postgres://kiportal:geheim@db.example:5432/kiportal"},
    "redis": {"REDIS_URL": "redis://redis.example:6379/0"},
    "production": {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "portal.example",
    },
}


@pytest.fixture(scope="module")
def shapes() -> dict[str, dict]:
    """The settings each environment yields; the processes start side by side."""
    base = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-c", PROBE],
            cwd=settings.BASE_DIR,
            env={**base, "DJANGO_SETTINGS_MODULE": "kiportal.settings", **extra},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, extra in ENVIRONMENTS.items()
    }
    results = {}
    for name, process in processes.items():
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, f"{name}: {stderr}"
        results[name] = json.loads(stdout.strip().splitlines()[-1])
    return results


# --- the embedded default and the services from the environment ------------------


def test_fresh_clone_uses_sqlite_and_runs_tasks_in_process(shapes):
    shape = shapes["fresh clone"]
    assert shape["engine"] == "django.db.backends.sqlite3"
    assert shape["name"] == os.path.join(shape["base_dir"], "db.sqlite3")
    assert shape["always_eager"] is True
    assert shape["broker_url"] == "memory://"
    assert shape["cache_backend"] == "django.core.cache.backends.locmem.LocMemCache"
    assert shape["debug"] is True


def test_database_url_selects_postgresql(shapes):
    shape = shapes["postgresql"]
    assert shape["engine"] == "django.db.backends.postgresql"
    assert shape["name"] == "kiportal"


def test_redis_url_sends_tasks_through_redis_and_caches_there(shapes):
    shape = shapes["redis"]
    assert shape["always_eager"] is False
    assert shape["broker_url"] == "redis://redis.example:6379/0"
    assert shape["cache_backend"] == "django.core.cache.backends.redis.RedisCache"
    assert shape["cache_location"] == "redis://redis.example:6379/0"


def test_production_is_not_in_debug_mode_by_default(shapes):
    assert shapes["production"]["debug"] is False


# --- language, time zone, dates ----------------------------------------------------


def test_portal_speaks_german_by_default_with_english_available(shapes):
    assert shapes["fresh clone"]["language"] == "de"
    assert "en" in dict(settings.LANGUAGES)


@pytest.mark.django_db
def test_login_page_is_german_without_a_language_preference(client):
    response = client.get(reverse("login"))
    assert response["Content-Language"] == "de"
    assert "Anmelden" in response.content.decode()


def test_times_are_shown_in_berlin_time(shapes):
    assert shapes["fresh clone"]["time_zone"] == "Europe/Berlin"
    summer_noon_utc = dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC)
    winter_noon_utc = dt.datetime(2026, 1, 15, 11, 0, tzinfo=dt.UTC)
    assert timezone.localtime(summer_noon_utc).hour == 12  # CEST, UTC+2
    assert timezone.localtime(winter_noon_utc).hour == 12  # CET, UTC+1
    assert timezone.get_current_timezone() == ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize("language", ["de", "en"])
def test_dates_are_shown_as_dd_mm_yyyy_in_both_languages(language):
    with translation.override(language):
        assert date_format(dt.date(2027, 7, 31)) == "31.07.2027"
        assert date_format(dt.date(2026, 3, 5), "SHORT_DATE_FORMAT") == "05.03.2026"
        moment = timezone.make_aware(dt.datetime(2026, 3, 5, 9, 7))
        assert date_format(timezone.localtime(moment), "DATETIME_FORMAT") == "05.03.2026 09:07"


# --- sessions ----------------------------------------------------------------------


@pytest.mark.django_db
def test_session_ends_after_thirty_minutes_without_a_request(client, home_center, user_as):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    user = user_as(Role.CENTER_LEAD, home_center)
    dashboard = reverse("dashboard")
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(user)
        assert client.get(dashboard).status_code == 200
        # Every request renews the session: 25 minutes, then 25 more, still inside.
        clock.shift(dt.timedelta(minutes=25))
        assert client.get(dashboard).status_code == 200
        clock.shift(dt.timedelta(minutes=25))
        assert client.get(dashboard).status_code == 200
        # 31 idle minutes: the next request goes to the login page.
        clock.shift(dt.timedelta(minutes=31))
        response = client.get(dashboard)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_a_page_does_not_write_the_session_within_a_minute_of_its_renewal(
    client, home_center, user_as
):
    """Issue 13: the idle logout costs at most one session write a minute, not one per page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    dashboard = reverse("dashboard")
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)

    def session_writes() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(dashboard).status_code == 200
        return sum(
            1
            for q in queries.captured_queries
            if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")
        )

    with time_machine.travel(start, tick=False) as clock:
        assert session_writes() == 1  # the first request renews
        clock.shift(dt.timedelta(seconds=30))
        assert session_writes() == 0
        assert session_writes() == 0
        clock.shift(dt.timedelta(seconds=31))
        assert session_writes() == 1


# --- security headers ----------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_sends_a_content_security_policy_without_inline_code(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in policy.split(";")) if part
    )
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_pages_may_not_be_framed(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


# --- Celery reliability (STACK-NOTES.md) ------------------------------------------------


def test_a_task_whose_worker_dies_is_delivered_again():
    conf = celery_app.conf
    # Acknowledged only after it ran; a killed child puts it back on the queue.
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    # One task at a time per child: a crash loses no prefetched work.
    assert conf.worker_prefetch_multiplier == 1


def test_redis_does_not_redeliver_a_task_that_is_still_running():
    conf = celery_app.conf
    assert conf.task_time_limit
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit


def test_workers_are_recycled():
    # WeasyPrint in long-lived forked children has crashed (STACK-NOTES.md).
    assert celery_app.conf.worker_max_tasks_per_child == 50
