"""Celery application.

With ``REDIS_URL`` set, tasks go through Redis to a worker; without it
(the embedded default) ``task_always_eager`` runs them in-process. The
broker and reliability settings live in ``kiportal.settings`` (``CELERY_*``).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiportal.settings")

app = Celery("kiportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
