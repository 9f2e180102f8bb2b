"""The data version: one number that moves whenever the portal's data changes (issue 13).

What is computed from the data and read on many requests — a user's grants, the to-do count
in the navigation, the state charts — is cached under a key that carries this number, so it is
computed once per change of the data instead of once per request, and never outlives it.

The number is moved where every writer passes: the database connection. An execute wrapper
(installed on every connection, ``install``) sees each ``INSERT``/``UPDATE``/``DELETE`` that
changed a row — forms, services, imports with ``bulk_create``, ``QuerySet.update``, the admin,
raw SQL — and moves it at once and again after the transaction commits: a reader that computed from the state before
the commit under the first new number is superseded by the second. Sessions and the login
protocol are not data of the portal and move nothing.

The number lives in the cache (Redis in production, shared by all processes; the process's own
memory in the embedded default). If it is ever evicted it restarts from the clock, above every
number used before, so an old entry can never come back.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.backends.signals import connection_created

logger = logging.getLogger(__name__)

KEY = "data-version"

# Tables whose writes are bookkeeping, not data: a login or a session renewal changes nothing
# that is cached.
IGNORED_TABLE_PREFIXES = ("django_session", "axes_")

_WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE")

_local = threading.local()


def current() -> int | None:
    """The version now: read once per request (unless the request writes), outside requests
    (workers, commands) at every call. ``None`` while the cache cannot be reached: then
    nothing is cached and everything is computed, as without this module."""
    version = getattr(_local, "version", None)
    if version is None:
        if _bump_pending and not _try_bump():
            return None
        try:
            version = cache.get(KEY)
            if version is None:
                cache.add(KEY, time.time_ns(), timeout=None)
                version = cache.get(KEY)
        except Exception:
            logger.warning("Datenversion: Cache nicht erreichbar", exc_info=True)
            return None
        if getattr(_local, "in_request", False):
            _local.version = version
    return version


# A write whose bump did not reach the cache (it was away): bumped before the next read, and
# until that succeeds this process caches nothing.
_bump_pending = False


def _try_bump() -> bool:
    global _bump_pending
    try:
        try:
            cache.incr(KEY)
        except ValueError:  # evicted or never set: restart above every earlier number
            cache.add(KEY, time.time_ns(), timeout=None)
    except Exception:
        logger.warning("Datenversion: Cache nicht erreichbar", exc_info=True)
        _bump_pending = True
        return False
    _bump_pending = False
    return True


def bump() -> None:
    """Move the version (every process sees the new one at its next request)."""
    _local.version = None
    _try_bump()


def _request_started(**_kwargs) -> None:
    _local.version = None
    _local.in_request = True


def _request_finished(**_kwargs) -> None:
    _local.version = None
    _local.in_request = False


def _written(sql: str) -> tuple[str, str] | None:
    """(statement, table) of a write, ``None`` for a read."""
    head = sql.lstrip()[:8].upper()
    statement = next((w for w in _WRITES if head.startswith(w)), None)
    if statement is None:
        return None
    if statement == "TRUNCATE":
        return statement, ""
    words = sql.split(None, 3)
    # INSERT INTO "t" / DELETE FROM "t" / UPDATE "t"
    name = words[1] if statement == "UPDATE" else words[2] if len(words) > 2 else ""
    return statement, name.strip('"`')


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    written = _written(sql)
    if written is None or written[1].startswith(IGNORED_TABLE_PREFIXES):
        return result
    # An UPDATE or DELETE that touched no row (a sweep's delete of nothing) changes no data;
    # an unknown count (-1) counts as a change. (An INSERT's count is not known before its
    # RETURNING rows are read, and an INSERT writes.)
    if written[0] in ("UPDATE", "DELETE") and getattr(context["cursor"], "rowcount", -1) == 0:
        return result
    bump()
    connection = context["connection"]
    if connection.in_atomic_block and not any(
        callback is bump for _sids, callback, _robust in connection.run_on_commit
    ):
        transaction.on_commit(bump, using=connection.alias, robust=True)
    return result


def _install_on(sender=None, connection=None, **_kwargs) -> None:
    # First in the list: a test's own ``execute_wrapper`` context pops the last one.
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch)


def install() -> None:
    """Called once from ``CentersConfig.ready``."""
    from django.db import connections

    connection_created.connect(_install_on, dispatch_uid="centers.dataversion")
    request_started.connect(_request_started, dispatch_uid="centers.dataversion.started")
    request_finished.connect(_request_finished, dispatch_uid="centers.dataversion.finished")
    for connection in connections.all(initialized_only=True):
        _install_on(connection=connection)


def cached(key: str, compute, *, timeout: int = 24 * 60 * 60):
    """``compute()``, cached under ``key`` for the current data version."""
    version = current()
    value = cached_get(key, version=version)
    if value is None:
        value = compute()
        cached_set(key, value, version=version, timeout=timeout)
    return value


def cached_get(key: str, *, version: int | None):
    """What was cached under ``key`` at ``version``, or ``None`` (also without a version)."""
    if version is None:
        return None
    try:
        return cache.get(f"{key}:v{version}")
    except Exception:
        logger.warning("Datenversion: Cache nicht erreichbar", exc_info=True)
        return None


def cached_set(key: str, value, *, version: int | None, timeout: int) -> None:
    """Cache ``value`` under ``key`` for ``version`` — the version read *before* computing it,
    so what was computed while the data changed is never taken for the newer state."""
    if version is None:
        return
    try:
        cache.set(f"{key}:v{version}", value, timeout)
    except Exception:
        logger.warning("Datenversion: Cache nicht erreichbar", exc_info=True)
