"""No request waits for a PDF (issue 13): in the embedded default (no broker) tasks run on
a thread pool in the web process after the commit; with TASKS_IN_BACKGROUND off (tests)
they run synchronously."""

import threading

from kiportal.celery import app, wait_for_background_tasks

started, release = threading.Event(), threading.Event()
ran = []


@app.task(name="tests.blocking_task")
def blocking_task(value):
    started.set()
    release.wait(10)
    ran.append(value)


def test_in_the_embedded_default_the_caller_does_not_wait(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.TASKS_IN_BACKGROUND = True
    app.conf.task_always_eager = True
    ran.clear()
    release.clear()
    blocking_task.apply_async(args=["pdf"])
    assert started.wait(5)  # it runs …
    assert ran == []  # … and the caller went on before it finished
    release.set()
    wait_for_background_tasks(timeout=10)
    assert ran == ["pdf"]


def test_tests_run_tasks_synchronously(settings):
    app.conf.task_always_eager = True
    ran.clear()
    release.set()
    blocking_task.delay("mail")
    assert ran == ["mail"]
