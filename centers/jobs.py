"""Long background jobs that survive a crash, and the one periodic sweep (issue 15).

A long job (the import check, the import, a report's rendering) is a row with a
status. While it runs, its worker holds the row's lock in the job's transaction and
its ``heartbeat_at`` says when it was (re)started; a worker that dies (SIGKILL, power
loss) loses its database session and with it the lock. The sweep takes a job over
when it is still marked as running, its heartbeat is older than
``JOB_HEARTBEAT_TIMEOUT`` and nobody holds its lock (``SELECT … FOR UPDATE SKIP
LOCKED``): the job goes back to "queued" and its task is sent again through the
outbox; after ``JOB_MAX_TAKEOVERS`` takeovers it fails with a message and the page
offers "Erneut versuchen". A redelivered task (the broker's answer to a killed pool
process) takes an orphaned job over at once in the same way.

``sweep()`` is the beat task ``centers.sweep_jobs``: it hands over the outbox's
pending messages and runs every app's job sweep (registered with ``register``).
In the embedded default (no worker, no beat) ``manage.py start`` runs it once, with
every job still marked as running taken over: the process that ran them is gone.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from . import outbox

logger = logging.getLogger(__name__)

# Handed-over messages (mail bodies among them) are kept this long, then deleted.
SENT_KEPT = datetime.timedelta(days=7)

Sweeper = Callable[..., int]
_sweepers: dict[str, Sweeper] = {}


def register(name: str, sweeper: Sweeper) -> None:
    """``sweeper(now=…, stale_before=…) -> int`` takes over the app's stale jobs
    (those whose heartbeat is before ``stale_before``) and returns how many."""
    _sweepers[name] = sweeper


def heartbeat_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT)


def max_takeovers() -> int:
    return settings.JOB_MAX_TAKEOVERS


def sweep(
    *, now: datetime.datetime | None = None, stale_after: datetime.timedelta | None = None
) -> dict[str, int]:
    """Hand over the outbox's due messages, then take over the stale jobs of every app.
    Returns the counts by name (``outbox`` and each sweeper's)."""
    now = now or timezone.now()
    stale_before = now - (heartbeat_timeout() if stale_after is None else stale_after)
    counts = {}
    for name, sweeper in sorted(_sweepers.items()):
        try:
            counts[name] = sweeper(now=now, stale_before=stale_before)
        except Exception:  # one app's failure must not stop the others (or the outbox)
            logger.exception("Sweep %s fehlgeschlagen", name)
            counts[name] = 0
    # Last: the takeovers above have just written their messages.
    counts["outbox"] = outbox.dispatch_due(now=max(now, timezone.now()))
    outbox.delete_sent(older_than=SENT_KEPT, now=now)
    return counts
