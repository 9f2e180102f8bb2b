"""Benchmark: rendering the centre reports to LaSI (issue 6).

Run on the demo data (``uv run python manage.py start --no-serve`` or
``seed_demo`` first) from the project directory::

    uv run python benchmarks/render_reports.py [--runs 7]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kiportal_bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 uv run python benchmarks/render_reports.py

Prints
1. the median time to render one centre report (Köln) through the task —
   data gathering, HTML, WeasyPrint, storage with SHA-256, database
   updates — against WeasyPrint rendering the same already-built HTML alone,
   and their ratio (target ≤ 1.25);
2. the page count and size of that report;
3. the wall time for all 54 centre reports with 2 worker processes
   (target ≤ 60 s on the 2-core machine): with ``REDIS_URL`` set, a real
   ``celery worker --concurrency 2`` on a queue of its own; without it, two
   forked processes running the same task function;
4. the peak memory (peak resident set, VmHWM) of a worker process.

Reports and files it creates are deleted again at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from multiprocessing import get_context
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiportal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from centers.models import Center  # noqa: E402
from deployment.periods import current_period  # noqa: E402
from reporting import rendering, tasks  # noqa: E402
from reporting.models import Report, ReportKind, ReportStatus  # noqa: E402

KOELN = "05315"


def _new_report(center: Center) -> Report:
    period = current_period()
    last = (
        Report.objects.filter(kind=ReportKind.CENTER, center=center, period_start=period.start)
        .order_by("-version")
        .first()
    )
    return Report.objects.create(
        kind=ReportKind.CENTER,
        center=center,
        period_start=period.start,
        period_end=period.end,
        version=(last.version + 1) if last else 1,
    )


def _vm_hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def measure_single(runs: int) -> dict:
    """Task and WeasyPrint-alone runs alternate, so a busy machine slows both alike."""
    center = Center.objects.select_related("sponsor").get(key=KOELN)
    task_times, weasy_times, created = [], [], []
    for _ in range(runs + 1):  # the first pair warms imports, fonts and caches; not counted
        report = _new_report(center)
        created.append(report.pk)
        started = time.perf_counter()
        tasks.render_report.apply(args=[report.pk], throw=True)
        task_times.append(time.perf_counter() - started)
        report.refresh_from_db()
        assert report.status == ReportStatus.READY, report.failure_reason
        html = rendering.build_html(report)
        started = time.perf_counter()
        rendering.html_to_pdf(html)
        weasy_times.append(time.perf_counter() - started)
    return {
        "task": statistics.median(task_times[1:]),
        "weasyprint": statistics.median(weasy_times[1:]),
        "pages": report.page_count,
        "size": report.file_size,
        "created": created,
    }


def _render_in_child(report_ids: list[int], queue) -> None:
    connection.close()  # never share the parent's connection after fork
    for pk in report_ids:
        tasks.render_report.apply(args=[pk], throw=True)
    queue.put((_vm_hwm_kib(os.getpid()), _cpu_seconds(os.getpid())))


def all_reports_forked(reports: list[Report]) -> tuple[float, int, float]:
    ctx = get_context("fork")
    queue = ctx.Queue()
    ids = [r.pk for r in reports]
    connection.close()
    started = time.perf_counter()
    procs = [ctx.Process(target=_render_in_child, args=(ids[i::2], queue)) for i in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    wall = time.perf_counter() - started
    results = [queue.get() for _ in procs]
    return wall, max(r[0] for r in results), sum(r[1] for r in results)


def all_reports_celery(reports: list[Report]) -> tuple[float, int, float]:
    from kiportal.celery import app

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    log = tempfile.NamedTemporaryFile(prefix="bench-worker-", suffix=".log", delete=False)  # noqa: SIM115 - the worker writes to it until the end
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "kiportal", "worker", "--concurrency", "2",
         "-l", "warning", "-Q", queue, "-n", f"{queue}@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        time.sleep(1)
        deadline = time.monotonic() + 60
        while len(_children(worker.pid)) < 2:
            if time.monotonic() > deadline or worker.poll() is not None:
                raise SystemExit(f"Worker startet nicht, siehe {log.name}")
            time.sleep(0.2)
        time.sleep(2)
        ids = [r.pk for r in reports]
        peak = 0
        cpu_before = {child: _cpu_seconds(child) for child in _children(worker.pid)}
        started = time.perf_counter()
        for pk in ids:
            tasks.render_report.apply_async(args=[pk], queue=queue)
        while True:
            for child in _children(worker.pid):
                peak = max(peak, _vm_hwm_kib(child))
            done = Report.objects.filter(
                pk__in=ids, status__in=(ReportStatus.READY, ReportStatus.FAILED)
            ).count()
            if done == len(ids):
                break
            if time.perf_counter() - started > 600:
                raise SystemExit("Zeitüberschreitung nach 600 s")
            time.sleep(0.1)
        wall = time.perf_counter() - started
        cpu = 0.0
        for child in _children(worker.pid):
            peak = max(peak, _vm_hwm_kib(child))
            cpu += _cpu_seconds(child) - cpu_before.get(child, 0.0)
        failed = Report.objects.filter(pk__in=ids, status=ReportStatus.FAILED).count()
        if failed:
            raise SystemExit(f"{failed} Berichte fehlgeschlagen, siehe {log.name}")
        return wall, peak, cpu
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=30)
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)


def _cleanup(ids: list[int]) -> None:
    media = Path(settings.MEDIA_ROOT)
    for report in Report.objects.filter(pk__in=ids):
        for field in (report.file, report.xlsx_file):
            if field:
                (media / field.name).unlink(missing_ok=True)
    Report.history.filter(id__in=ids).delete()
    Report.objects.filter(pk__in=ids).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="Wiederholungen für den Median")
    args = parser.parse_args()

    if Center.objects.count() != 54 or not Center.objects.get(key=KOELN).deployment_plans.exists():
        raise SystemExit("Keine Demodaten: erst 'uv run python manage.py start --no-serve'.")
    # Files go to a scratch directory, never into the real MEDIA_ROOT.
    scratch = Path(tempfile.mkdtemp(prefix="bench-media-"))
    settings.MEDIA_ROOT = scratch
    os.environ["MEDIA_ROOT"] = str(scratch)
    db = connection.vendor
    celery = bool(os.environ.get("REDIS_URL"))
    print(f"Datenbank: {db}; Worker: {'Celery auf Redis' if celery else 'zwei Prozesse (fork)'}")
    print(f"Last vorher (1/5/15 min): {os.getloadavg()} auf {os.cpu_count()} Kernen")
    created: list[int] = []
    try:
        single = measure_single(args.runs)
        created += single["created"]
        ratio = single["task"] / single["weasyprint"]
        print(f"Ein Zentrumsbericht (Köln), Median aus {args.runs} Läufen:")
        print(f"  über den Task (Daten, HTML, PDF, Ablage, SHA-256): {single['task']:.3f} s")
        print(f"  WeasyPrint allein auf dem fertigen HTML:          {single['weasyprint']:.3f} s")
        print(f"  Verhältnis: {ratio:.2f} (Ziel ≤ 1,25) {'OK' if ratio <= 1.25 else 'VERFEHLT'}")
        print(f"  Seiten: {single['pages']}, Größe: {single['size'] / 1024:.1f} KiB")

        centers = list(Center.objects.select_related("sponsor").order_by("key"))
        reports = [_new_report(c) for c in centers]
        created += [r.pk for r in reports]
        wall, peak, cpu = all_reports_celery(reports) if celery else all_reports_forked(reports)
        print(f"Alle {len(reports)} Zentrumsberichte mit 2 Worker-Prozessen: {wall:.1f} s "
              f"(Ziel ≤ 60 s) {'OK' if wall <= 60 else 'VERFEHLT'}")  # fmt: skip
        # On a shared machine the wall time includes other people's load; the CPU time
        # the two workers used, halved, is the wall time on two free cores.
        print(f"  CPU-Zeit der Worker: {cpu:.1f} s, also ≈ {cpu / 2:.1f} s auf 2 freien Kernen "
              f"({cpu / len(reports):.2f} s je Bericht)")  # fmt: skip
        print(f"Spitzenspeicher eines Worker-Prozesses (VmHWM): {peak / 1024:.0f} MiB")
        print(f"Last nachher (1/5/15 min): {os.getloadavg()}")
    finally:
        _cleanup(created)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
