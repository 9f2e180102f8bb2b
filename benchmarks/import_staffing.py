"""Benchmark of the staffing-list import (issue 4). Not a test: prints numbers.

Run on PostgreSQL with a database of your own (it is emptied of staffing data):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kiportal_bench_staffing \\
        uv run python benchmarks/import_staffing.py [--rows 10000] [--skip-baselines]

Measures, on one generated German-Excel CSV (``;``, Windows-1252, CRLF) over all
54 centres:
1. the dry run (read, parse, compare; nothing written),
2. the confirmed import into an empty staffing database (dry run included),
3. the re-import of the same file (all rows unchanged),
4. the browser's path into an empty database: the job's check, which stores the
   preview of every row, then the confirmed import (the task's work, run inline),
each as rows/s with the peak resident memory (RSS) during the step;
then on the same data:
5. a plain django-import-export ``ModelResource`` import of the assignments with
   default settings (rolled back afterwards),
6. a raw PostgreSQL ``COPY`` into a bare table with the same eleven columns.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiportal.settings")

import django  # noqa: E402

django.setup()


from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from centers.models import Center  # noqa: E402
from staffing import imports, spreadsheet  # noqa: E402
from staffing.models import (  # noqa: E402
    Assignment,
    ImportJob,
    Post,
    QualificationException,
    SensitiveDataAccess,
    StaffingQuota,
    StaffMember,
)

KINDS = [("Fachkraft", 0.55), ("Lehrkraft", 0.35), ("Verwaltungsassistenz", 0.10)]
QUALIFICATION = {
    "Fachkraft": ["Master", "Bachelor", "Diplom (FH)"],
    "Lehrkraft": ["Lehramt"],
    "Verwaltungsassistenz": ["Verwaltungsfachangestellte/r"],
}


def generate(rows: int) -> bytes:
    """A valid staffing list: unique people, one assignment each, no leadership conflicts."""
    rng = random.Random(4)
    keys = list(Center.objects.order_by("key").values_list("key", flat=True))
    out = io.StringIO(newline="")
    out.write(";".join(spreadsheet.HEADERS) + "\r\n")
    for n in range(rows):
        key = keys[n % len(keys)]
        kind = rng.choices([k for k, _w in KINDS], [w for _k, w in KINDS])[0]
        fte = rng.choice(["1", "0,5", "50 %", "1"]) if kind != "Verwaltungsassistenz" else "0,5"
        start = date(2020, 8, 1) + timedelta(days=rng.randrange(0, 6 * 365))
        end = start + timedelta(days=730) if rng.random() < 0.3 else None
        school = f"Gesamtschule Nr. {rng.randrange(1, 200)}" if kind == "Lehrkraft" else ""
        role = ""
        if n < 2 * len(keys):  # per centre one Leitung (Fachkraft), one deputy (Lehrkraft)
            kind, fte, end = ("Fachkraft", "1", None) if n < len(keys) else ("Lehrkraft", "1", None)
            role = "Leitung" if n < len(keys) else "stellv. Leitung"
            school = "Gymnasium Mitte" if kind == "Lehrkraft" else ""
        cells = [
            key,
            f"Müller-{n}",
            rng.choice(["Anna", "Jörg", "Ayşe", "Émile", "Zoë"]).replace("ş", "s"),
            f"person.{n}@ki-{key}.example",
            kind,
            fte,
            start.strftime("%d.%m.%Y"),
            end.strftime("%d.%m.%Y") if end else "",
            role,
            school,
            rng.choice(QUALIFICATION[kind]),
        ]
        out.write(";".join(cells) + "\r\n")
    return out.getvalue().encode("cp1252")


def clear_staffing() -> None:
    with transaction.atomic():
        for model in (
            SensitiveDataAccess,
            QualificationException,
            Assignment,
            StaffMember,
            Post,
            StaffingQuota,
            ImportJob,
        ):
            model.objects.all().delete()
            if hasattr(model, "history"):
                model.history.model.objects.all().delete()


def rss_mb() -> float:
    """The process's peak resident memory: since the last ``reset_peak`` where Linux
    allows resetting it (``/proc/self/clear_refs``), else since the start."""
    try:
        status = Path("/proc/self/status").read_text()
        return (
            int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1])
            / 1024
        )
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


RATES: dict[str, float] = {}  # label → rows/s, for the ratios to raw COPY at the end


def measure(label: str, rows: int, fn):
    """Wall time of ``fn`` and the peak RSS during it (tracemalloc would slow the code
    it measures several times over, so memory is the OS's figure)."""
    gc.collect()
    reset_peak()
    started, cpu_started = time.perf_counter(), time.process_time()
    value = fn()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    RATES[label] = rows / elapsed
    print(
        f"{label:<48} {rows / elapsed:>10,.0f} Zeilen/s  {elapsed:7.2f} s "
        f"(Python-CPU {cpu:6.2f} s)  Spitze RSS {rss_mb():6.0f} MB  "
        f"Last {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return value


def run_import(data: bytes, user, *, dry_run: bool):
    return imports.staffing_list_import(
        source=spreadsheet.iter_file(data), user=user, dry_run=dry_run
    )


def browser_flow(data: bytes, user, rows: int) -> None:
    """What the upload page starts: the check with its stored preview, then the
    confirmation — ``imports.import_job_process`` as the Celery task runs it."""
    job = ImportJob.objects.create(user=user, filename="liste.csv", content=data)
    imports.import_job_process(job_id=job.pk, confirm=False)
    assert job.rows.count() == rows
    ImportJob.objects.filter(pk=job.pk).update(status="queued")
    imports.import_job_process(job_id=job.pk, confirm=True)
    job.refresh_from_db()
    assert job.status == "done", job.result


def plain_import_export(data: bytes, rows: int) -> None:
    """django-import-export with default settings: a ModelResource of Assignment."""
    import tablib
    from import_export import resources

    class AssignmentResource(resources.ModelResource):
        class Meta:
            model = Assignment
            fields = ("id", "member", "post", "fte", "start", "end", "role", "seconding_school")

    # The same rows, expressed as the foreign keys a ModelResource expects.
    members = dict(StaffMember.objects.values_list("email", "pk"))
    posts = {}
    for a in Assignment.objects.values("member__email", "post_id"):
        posts[a["member__email"]] = a["post_id"]
    dataset = tablib.Dataset(
        headers=["id", "member", "post", "fte", "start", "end", "role", "seconding_school"]
    )
    for cells in list(spreadsheet.iter_file(data))[1:]:
        email = cells[3].lower()
        dataset.append(
            [
                "",
                members[email],
                posts[email],
                str(spreadsheet.parse_fte(cells[5])),
                spreadsheet.parse_date(cells[6]).isoformat(),
                spreadsheet.parse_date(cells[7]).isoformat() if cells[7] else "",
                "",
                cells[9],
            ]
        )

    def go():
        with transaction.atomic():
            result = AssignmentResource().import_data(dataset, dry_run=False)
            assert not result.has_errors(), result.row_errors()[:1]
            transaction.set_rollback(True)

    measure("django-import-export ModelResource (Standard)", rows, go)


def raw_copy(data: bytes, rows: int) -> None:
    columns = ", ".join(f'"{h}" text' for h in spreadsheet.HEADERS)
    text = data.decode("cp1252")

    def go():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE bench_staffing ({columns})")
            with cursor.cursor.copy(
                "COPY bench_staffing FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true)"
            ) as copy:
                copy.write(text)
            cursor.execute("SELECT count(*) FROM bench_staffing")
            assert cursor.fetchone()[0] == rows
            transaction.set_rollback(True)

    measure(COPY_LABEL, rows, go)


COPY_LABEL = "PostgreSQL COPY in eine nackte Tabelle"


def print_ratios() -> None:
    """Each step's speed as a share of raw COPY of the same file in the same run: a
    figure that holds when the machine is faster or slower than on another day."""
    copy_rate = RATES.get(COPY_LABEL)
    if not copy_rate:
        return
    print("\nAnteil an COPY derselben Datei (gleicher Lauf):")
    for label, rate in RATES.items():
        if label != COPY_LABEL:
            print(f"  {label:<48} {rate / copy_rate:8.4f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--skip-baselines", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Bitte mit DATABASE_URL=postgres://… ausführen (eigene Datenbank).")

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(
        username="bench-ministerium", defaults={"is_superuser": True, "is_staff": True}
    )
    clear_staffing()
    print(f"vor dem Lauf: RSS {rss_mb():.0f} MB", flush=True)
    data = generate(args.rows)
    print(
        f"{args.rows:,} Zeilen, {len(data) / 2**20:.1f} MB CSV (Windows-1252, ;, CRLF), "
        f"{Center.objects.count()} Zentren, PostgreSQL {connection.pg_version}"
    )

    result = measure("Probelauf (dry run)", args.rows, lambda: run_import(data, user, dry_run=True))
    assert result.counts["new"] == args.rows, result.error_rows[:3]
    result = measure(
        "Import in leere DB (Probelauf inbegriffen)",
        args.rows,
        lambda: run_import(data, user, dry_run=False),
    )
    assert result.written and Assignment.objects.count() == args.rows
    result = measure(
        "Erneuter Import (alles unverändert)",
        args.rows,
        lambda: run_import(data, user, dry_run=False),
    )
    assert result.counts["unchanged"] == args.rows
    clear_staffing()
    measure(
        "Browser: Prüfung mit Vorschau + Bestätigung",
        args.rows,
        lambda: browser_flow(data, user, args.rows),
    )
    if not args.skip_baselines:
        plain_import_export(data, args.rows)
        raw_copy(data, args.rows)
        print_ratios()
    print(
        f"Prozess gesamt: maximale Speicherbelegung (RSS) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    clear_staffing()


if __name__ == "__main__":
    main()
