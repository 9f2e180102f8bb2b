"""Point this process's Celery producer at another broker for one test."""

from contextlib import contextmanager

from kiportal.celery import app as celery_app


def _reset_producers():
    # What Celery itself does after a fork: new connection and producer pools
    # on next use, built from the (changed) configuration.
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextmanager
def broker(url: str, *, eager: bool = False, queue: str | None = None):
    conf = celery_app.conf
    saved = (conf.broker_url, conf.task_always_eager, conf.task_default_queue)
    conf.broker_url = url
    conf.task_always_eager = eager
    if queue:
        conf.task_default_queue = queue
    _reset_producers()
    try:
        yield celery_app
    finally:
        conf.broker_url, conf.task_always_eager, conf.task_default_queue = saved
        _reset_producers()
