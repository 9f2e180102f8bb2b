"""Celery application.

With ``REDIS_URL`` set, tasks go through Redis to a worker. Without it (the embedded
default) ``task_always_eager`` runs them in this process — and, with
``TASKS_IN_BACKGROUND`` (on by default there), on a small thread pool after the request's
commit, so that no request waits for a PDF or an import: the page shows the job's progress
as it does with a worker. Tests run them synchronously (``TASKS_IN_BACKGROUND = False``).
The broker and reliability settings live in ``kiportal.settings`` (``CELERY_*``).
"""

import logging
import os
from concurrent.futures import ThreadPoolExecutor, wait

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiportal.settings")

logger = logging.getLogger(__name__)

# Two threads: a PDF and an import may run side by side; more would only compete with the
# requests of the one web process.
_background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kiportal-task")
_pending = set()


def _run_in_background(task, args, kwargs):
    from django.db import connections

    try:
        task.apply(args=args, kwargs=kwargs)
    except Exception:  # a task's own failure handling has run; nothing waits for the result
        logger.exception("Hintergrundaufgabe %s fehlgeschlagen", task.name)
    finally:
        connections.close_all()  # this thread's connections, not the requests'


def wait_for_background_tasks(timeout: float | None = None) -> None:
    """Block until the tasks started so far have finished (tests, management commands)."""
    wait(list(_pending), timeout=timeout)


class PortalTask(Task):
    def apply_async(self, args=None, kwargs=None, **options):
        from django.conf import settings

        if self.app.conf.task_always_eager and getattr(settings, "TASKS_IN_BACKGROUND", False):
            future = _background.submit(_run_in_background, self, args or (), kwargs or {})
            _pending.add(future)
            future.add_done_callback(_pending.discard)
            return None
        return super().apply_async(args=args, kwargs=kwargs, **options)


app = Celery("kiportal", task_cls=PortalTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
