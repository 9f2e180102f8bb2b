"""Settings for the real Celery worker the reporting tests start (``test_worker.py``).

The project's settings, plus: the test's own queue (parallel runs never take
each other's tasks), a visibility timeout short enough (and a sweep frequent
enough) that a task whose worker was SIGKILLed is redelivered within seconds, and
mail kept in memory.
"""

import os

from kiportal.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ["REPORTING_TEST_QUEUE"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": float(os.environ.get("REPORTING_TEST_VISIBILITY_TIMEOUT", 7200)),
    # kombu 5.7 sweeps for unacknowledged tasks every interval × throttle seconds
    # (10 × 10 by default) after one sweep at start-up; a worker that is ready
    # within the visibility timeout would find the killed worker's task only after
    # 100 s. Sweep every second here, so redelivery is seen within the test.
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
