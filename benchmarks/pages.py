"""Page speed of the portal against a plain Django page (issue 13). Not a test: prints numbers.

Needs PostgreSQL and Redis (as for ``.ci/run``) and ``wrk`` (Debian: ``apt-get install -y wrk``):

    uv run python benchmarks/pages.py [--scales 1,10] [--seconds 10] [--connections 16]
        [--database-url postgres://postgres@127.0.0.1:5432/kiportal_bench_pages]
        [--redis-url redis://127.0.0.1:6379/0] [--anchor-dir ../shared/bench/anchor]
        [--plain-database-url postgres://postgres@127.0.0.1:5432/plain_anchor]
        [--only dashboard-ki,state-charts]

For each scale it:
1. drops and recreates the database of ``--database-url`` (its own; never the portal's),
   runs ``migrate`` and ``seed_demo --scale N`` (and ``collectstatic`` once) with production
   settings: ``DJANGO_ENV=production``, a random ``SECRET_KEY``, ``ALLOWED_HOSTS=127.0.0.1``,
   ``REDIS_URL`` as cache (a key prefix of this run's own, removed at the end);
2. looks up the demo objects behind the pages (Köln, 05315) with the ORM and loads every page
   once in-process (Django test client, ``CaptureQueriesContext``) for its query count — the
   second request of the user, so the cache is warm as under load;
3. starts gunicorn with 2 sync workers for the portal (``kiportal.wsgi``) and for the plain
   reference page of ``../shared/bench/anchor`` (its own database ``plain_anchor``, migrated and
   seeded once; nothing is written into that folder);
4. logs in as each demo role through the real login form (CSRF token, POST, session cookie).
   The portal runs as behind its TLS proxy: every request carries ``X-Forwarded-Proto: https``
   (``SECURE_PROXY_SSL_HEADER``), so secure cookies, CSRF and the HTTPS redirect stay as in
   production;
5. runs ``wrk --latency`` with 16 connections for ``--seconds`` on the reference page, then on
   each portal page followed by the reference page again (anchor, page, anchor, page, …).

Printed per page: requests/s, the ratio to the reference page (mean of the two reference runs
on either side), p50 and p99 latency, SQL queries of one request, response size in bytes, and
CPU ms per request of the gunicorn workers (``/proc/<pid>/stat``); then ("kalt") the queries
and the in-process CPU ms of the first view after a change of the data, when nothing is cached
from it (``centers.dataversion``: grants, to-do count, the page itself) — what wrk's repeated
requests do not see; then the load average at start and end, and as the last line the worst
ratio per scale.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import html
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
CENTER = "05315"  # Köln: the demo's home centre
ANCHOR_PATH = "/center/10000042/"


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    user: str
    # A path, or a key of the probe's lookups ("{plan}") filled in after seeding.
    path: str


# The twelve pages of issue 13's table first, then the further main pages.
PAGES = [
    Page("dashboard-ki", "KI-Dashboard /", "ki-koeln-leitung", "/"),
    Page("dashboard-state", "Landes-Dashboard / (LaSI)", "lasi", "/"),
    Page("center", "Zentrum", "ki-koeln-leitung", f"/zentren/{CENTER}/"),
    Page("center-list", "Zentrenliste (54)", "lasi", "/zentren/"),
    Page("staffing", "Personal eines Zentrums", "ki-koeln-leitung", f"/personal/{CENTER}/"),
    Page("staffing-state", "Personal Land", "lasi", "/personal/land/"),
    Page("plan-list", "Einsatzmanagement-Liste", "ki-koeln-leitung", "/einsatzmanagement/"),
    Page("plan-state", "Einsatzmanagement Land (LaSI)", "lasi", "/einsatzmanagement/land/"),
    Page("plan", "Einsatzmanagement-Plan", "ki-koeln-leitung", "{plan}"),
    Page("state-charts", "Landesdiagramme", "lasi", "/berichte/dashboard/"),
    Page("verbund", "Verbund", "ki-koeln", "/einsatzmanagement/verbund/"),
    Page("concept-queue", "Konzepte zur Prüfung", "bewilligung", "/zentren/konzepte/pruefung/"),
    Page("person", "Person", "ki-koeln-leitung", "{person}"),
    Page("concept", "Integrationskonzept", "ki-koeln-leitung", "{concept}"),
    Page("report", "Bericht", "ki-koeln-leitung", "{report}"),
    Page("verbund-focus", "Verbund-Schwerpunkt", "ki-koeln", "{verbund_focus}"),
    Page(
        "plan-schulamt",
        "Einsatzmanagement-Liste (Schulamt)",
        "schulamt-koeln",
        "/einsatzmanagement/",
    ),
    Page("funding-list", "Förderung", "traeger-koeln", "/foerderung/"),
    Page(
        "funding-center",
        "Förderung eines Zentrums",
        "traeger-koeln",
        f"/foerderung/zentrum/{CENTER}/",
    ),
    Page("funding-application", "Förderantrag", "traeger-koeln", "{application}"),
    Page("funding-overview", "Förderübersicht NRW", "bewilligung", "/foerderung/uebersicht/"),
    Page("dashboard-ministry", "Dashboard Ministerium", "ministerium", "/"),
]


# --------------------------------------------------------------------------------------------
# Probe: runs in a child process with the production environment (``--probe``).
# --------------------------------------------------------------------------------------------


def page_paths(pages: list[Page]) -> dict[str, str]:
    """slug → path of each page, its demo objects looked up with the ORM (Django set up,
    ``seed_demo`` run). Also used by ``tests/test_page_queries.py``."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from centers.models import Center, IntegrationConcept
    from deployment import selectors as deployment_selectors
    from deployment.models import DeploymentPlan
    from reporting.funding.models import FundingApplication
    from reporting.models import Report, ReportStatus
    from staffing.models import StaffMember

    User = get_user_model()
    center = Center.objects.get(key=CENTER)

    def first(qs, what):
        obj = qs.order_by("pk").first()
        if obj is None:
            raise SystemExit(f"seed_demo hat kein Objekt für {what} angelegt.")
        return obj

    plan = first(DeploymentPlan.objects.filter(center=center, is_current=True), "Plan")
    person = first(
        StaffMember.objects.filter(center=center, assignments__isnull=False).distinct(), "Person"
    )
    concept = first(IntegrationConcept.objects.filter(center=center), "Konzept")
    reports = Report.objects.filter(center=center)
    report = reports.filter(status__in=ReportStatus.with_file()).order_by("pk").first()
    report = report or first(reports, "Bericht")
    focus = first(
        deployment_selectors.foci_shared_in_verbund(User.objects.get(username="ki-koeln")),
        "Verbund-Schwerpunkt",
    )
    application = first(FundingApplication.objects.filter(center=center), "Förderantrag")
    lookups = {
        "plan": reverse("deployment:plan_detail", kwargs={"pk": plan.pk}),
        "person": reverse("staffing:member", kwargs={"key": CENTER, "pk": person.pk}),
        "concept": reverse("centers:concept_detail", kwargs={"key": CENTER, "pk": concept.pk}),
        "report": reverse("reporting:detail", kwargs={"pk": report.pk}),
        "verbund_focus": reverse("deployment:verbund_focus", kwargs={"pk": focus.pk}),
        "application": reverse("funding:application", kwargs={"pk": application.pk}),
    }
    return {page.slug: page.path.format(**lookups) for page in pages}


def probe(pages_json: str) -> None:
    """Look up the demo objects, then load each page twice in-process; print JSON."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from centers import dataversion

    User = get_user_model()
    specs = [Page(**spec) for spec in json.loads(pages_json)]
    paths = page_paths(specs)
    results = {}
    for spec in specs:
        path = paths[spec.slug]
        client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
        # The backend a real login through the form ends in.
        client.force_login(
            User.objects.get(username=spec.user),
            backend="django.contrib.auth.backends.ModelBackend",
        )
        client.get(path)  # warm: the session renewed, the page cached as under load
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        # The first view after a change of the data: nothing cached from it (grants, to-do
        # count, the page), what wrk does not see. Median CPU of five.
        cold_cpu = []
        for _ in range(5):
            dataversion.bump()
            start = time.process_time()
            client.get(path)
            cold_cpu.append((time.process_time() - start) * 1000)
        dataversion.bump()
        with CaptureQueriesContext(connection) as cold_queries:
            client.get(path)
        results[spec.slug] = {
            "path": path,
            "status": response.status_code,
            "queries": len(queries),
            "cold_queries": len(cold_queries),
            "cold_cpu_ms": sorted(cold_cpu)[2],
            "bytes": len(response.content),
        }
    print(json.dumps(results))


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def admin_connect(url):
    import psycopg

    return psycopg.connect(
        host=url.hostname or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password or None,
        dbname="postgres",
        autocommit=True,
    )


def recreate_database(database_url: str) -> None:
    from psycopg import sql

    url = urlparse(database_url)
    name = url.path.lstrip("/")
    with admin_connect(url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_exists(database_url: str) -> bool:
    url = urlparse(database_url)
    with admin_connect(url) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [url.path.lstrip("/")]
        ).fetchone()
    return row is not None


def run(cmd, *, env, cwd=ROOT, capture=False):
    result = subprocess.run(
        cmd, env=env, cwd=cwd, text=True, stdout=subprocess.PIPE if capture else None
    )
    if result.returncode:
        raise SystemExit(f"Fehlgeschlagen ({result.returncode}): {' '.join(map(str, cmd))}")
    return result.stdout


def prepare_anchor(args, anchor_env) -> None:
    """The reference page's database: migrated and seeded once (seed_plain replaces its data)."""
    manage = [sys.executable, "manage.py"]
    if not database_exists(args.plain_database_url):
        log("Referenzseite: lege die Datenbank an")
        url = urlparse(args.plain_database_url)
        from psycopg import sql

        with admin_connect(url) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(url.path.lstrip("/"))))
    run([*manage, "migrate", "-v0"], env=anchor_env, cwd=args.anchor_dir)
    import psycopg

    with psycopg.connect(args.plain_database_url) as conn:
        count = conn.execute("SELECT count(*) FROM plain_assignment").fetchone()[0]
    if count != 10000:
        log("Referenzseite: seed_plain")
        run([*manage, "seed_plain"], env=anchor_env, cwd=args.anchor_dir)


class Server:
    """A gunicorn master in its own session; stopped with SIGTERM (then SIGKILL)."""

    def __init__(self, name, app, *, port, env, cwd, logdir):
        self.name, self.port = name, port
        self.log = open(Path(logdir) / f"{name}.log", "w")  # noqa: SIM115
        # The access log (as in production) counts every request a worker served.
        self.access_log = Path(logdir) / f"{name}-access.log"
        self.proc = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", app,
                "--workers", "2", "--worker-class", "sync",
                "--bind", f"127.0.0.1:{port}",
                "--timeout", "120",
                "--no-control-socket",
                "--access-logfile", str(self.access_log),
            ],
            env=env, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def wait_ready(self, path="/", timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name}: gunicorn beendet, siehe {self.log.name}")
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request("GET", path, headers=HTTPS)
                conn.getresponse().read()
                return
            time.sleep(0.3)
        raise SystemExit(f"{self.name}: keine Antwort nach {timeout:.0f} s")

    def workers(self) -> list[int]:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.proc.pid:
                    children.append(int(stat.parent.name))
        return children

    def cpu_seconds(self) -> dict[int, float]:
        """utime + stime of each worker."""
        tick = os.sysconf("SC_CLK_TCK")
        out = {}
        for pid in self.workers():
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                out[pid] = (int(fields[11]) + int(fields[12])) / tick
        return out

    def served(self) -> int:
        with contextlib.suppress(OSError), self.access_log.open("rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
        return 0

    def drain(self, timeout=120.0):
        """Wait until the workers are idle: when wrk stops, the requests already queued are
        still served (a sync worker notices the closed connection only when it answers)."""
        deadline = time.monotonic() + timeout
        last = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = self.cpu_seconds()
            if cpu_delta(last, now) < 0.02:
                return
            last = now

    def stop(self):
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(after[pid] - before.get(pid, 0.0) for pid in after)


# As behind the TLS proxy, and what a browser accepts: should the portal compress its pages,
# wrk and the size column see it (bytes are as sent).
HTTPS = {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip, deflate, br"}


def get(port, path, cookie=""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", path, headers={**HTTPS, **({"Cookie": cookie} if cookie else {})})
    response = conn.getresponse()
    body = response.read()
    if response.getheader("Content-Encoding") == "gzip":  # pages are compressed, as for browsers
        body = gzip.decompress(body)
    return response, body


def login(port, username, password) -> str:
    """The real login form: GET for the CSRF token, one POST; returns the Cookie header."""
    response, body = get(port, "/accounts/login/")
    cookies = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if response.status != 200 or not match or "csrftoken" not in cookies:
        raise SystemExit(f"Anmeldeseite: HTTP {response.status}, kein CSRF-Token")
    origin = f"https://127.0.0.1:{port}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(
        "POST",
        "/accounts/login/",
        body=urlencode(
            {
                "csrfmiddlewaretoken": html.unescape(match.group(1).decode()),
                "username": username,
                "password": password,
            }
        ),
        headers={
            **HTTPS,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken'].value}",
            "Origin": origin,
            "Referer": f"{origin}/accounts/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    # One attempt only: a wrong password must not walk into the axes lock-out.
    if response.status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"Anmeldung als {username} fehlgeschlagen (HTTP {response.status}).")
    return "; ".join(f"{k}={v.value}" for k, v in cookies.items() if v.value)


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk(args, port, path, cookie="") -> dict:
    cmd = [
        "wrk", "--latency", "--timeout", "60s",
        "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.seconds}s",
    ]  # fmt: skip
    for name, value in HTTPS.items():
        cmd += ["-H", f"{name}: {value}"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        [*cmd, f"http://127.0.0.1:{port}{path}"], text=True, capture_output=True, check=True
    ).stdout

    def latency(pct):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        return float(m.group(1)) * UNITS[m.group(2)] if m else float("nan")

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "p50": latency(50),
        "p99": latency(99),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "errors": errors.group(0) if errors else "",
    }


def measure(args, server, path, cookie="") -> dict:
    """wrk on one page; CPU ms per request over everything the workers served for it
    (the requests still queued when wrk stops included)."""
    server.drain()
    before, served = server.cpu_seconds(), server.served()
    result = wrk(args, server.port, path, cookie)
    server.drain()
    cpu = cpu_delta(before, server.cpu_seconds())
    served = server.served() - served
    result["cpu_ms"] = 1000 * cpu / served if served else float("nan")
    return result


def uptime() -> str:
    if shutil.which("uptime"):
        return subprocess.run(["uptime"], text=True, capture_output=True).stdout.strip()
    return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def run_scale(args, scale, env, anchor_env, logdir, pages) -> list[dict]:
    log(f"Skala {scale}: Datenbank neu anlegen, migrate, seed_demo --scale {scale}")
    recreate_database(args.database_url)
    manage = [sys.executable, "manage.py"]
    run([*manage, "migrate", "-v0"], env=env)
    started = time.monotonic()
    run([*manage, "seed_demo", "--scale", str(scale)], env=env, capture=True)
    log(f"seed_demo --scale {scale}: {time.monotonic() - started:.0f} s")

    log("Objekte nachschlagen, Abfragen je Seite zählen (im Prozess)")
    specs = json.dumps([p.__dict__ for p in pages])
    probed = json.loads(
        run([sys.executable, __file__, "--probe", specs], env=env, capture=True).splitlines()[-1]
    )
    bad = {slug: r for slug, r in probed.items() if r["status"] != 200}
    if bad:
        raise SystemExit(f"Seiten ohne HTTP 200 im Prozess: {bad}")

    servers = []
    try:
        portal = Server("portal", "kiportal.wsgi", port=args.port or free_port(), env=env,
                        cwd=ROOT, logdir=logdir)  # fmt: skip
        servers.append(portal)
        anchor = Server("anchor", "plainsite.wsgi", port=args.anchor_port or free_port(),
                        env=anchor_env, cwd=args.anchor_dir, logdir=logdir)  # fmt: skip
        servers.append(anchor)
        portal.wait_ready("/healthz/")
        anchor.wait_ready(ANCHOR_PATH)
        log(f"gunicorn: Portal auf :{portal.port}, Referenzseite auf :{anchor.port}")

        cookies = {}
        for user in dict.fromkeys(p.user for p in pages):
            cookies[user] = login(portal.port, user, args.password)
        log(f"angemeldet: {', '.join(cookies)}")

        # Warm both servers' workers once.
        for _ in range(4):
            get(anchor.port, ANCHOR_PATH)
            get(portal.port, "/", cookies[pages[0].user])

        anchors = [measure(args, anchor, ANCHOR_PATH)]
        print(HEADER, flush=True)
        rows = []
        for page in pages:
            path = probed[page.slug]["path"]
            response, body = get(portal.port, path, cookies[page.user])
            if response.status != 200:
                raise SystemExit(f"{page.slug} {path} als {page.user}: HTTP {response.status}")
            for _ in range(3):
                get(portal.port, path, cookies[page.user])
            result = measure(args, portal, path, cookies[page.user])
            # wrk counts a redirect (an expired session) as success: check the page is still 200.
            after, _ = get(portal.port, path, cookies[page.user])
            result["after"] = after.status
            anchors.append(measure(args, anchor, ANCHOR_PATH))
            reference = (anchors[-2]["rps"] + anchors[-1]["rps"]) / 2
            row = {
                **result,
                "page": page,
                "path": path,
                "reference": reference,
                "ratio": result["rps"] / reference if reference else float("nan"),
                "queries": probed[page.slug]["queries"],
                "cold_queries": probed[page.slug]["cold_queries"],
                "cold_cpu_ms": probed[page.slug]["cold_cpu_ms"],
                "bytes": len(body),
            }
            rows.append(row)
            print_row(row)
        print_anchor(anchors)
        print("Adressen: " + ", ".join(f"{r['page'].slug} {r['path']}" for r in rows), flush=True)
        return rows
    finally:
        for server in reversed(servers):
            server.stop()


HEADER = (
    f"{'Seite':<34} {'Benutzer':<17} {'req/s':>7} {'Ref.':>7} {'Verh.':>6} "
    f"{'p50 ms':>7} {'p99 ms':>7} {'Abfr.':>5} {'Bytes':>8} {'CPU ms':>7} "
    f"{'kalt: Abfr.':>11} {'CPU ms':>7}"
)


def print_row(row):
    page = row["page"]
    note = ""
    if row["non2xx"]:
        note += f"  ! {row['non2xx']} Antworten nicht 2xx/3xx"
    if row["after"] != 200:
        note += f"  ! danach HTTP {row['after']} (Sitzung?)"
    if row["errors"]:
        note += f"  ! {row['errors']}"
    print(
        f"{page.title[:34]:<34} {page.user:<17} {row['rps']:>7.1f} {row['reference']:>7.1f} "
        f"{row['ratio']:>6.2f} {row['p50']:>7.1f} {row['p99']:>7.1f} {row['queries']:>5} "
        f"{row['bytes']:>8} {row['cpu_ms']:>7.1f} {row['cold_queries']:>11} "
        f"{row['cold_cpu_ms']:>7.1f}{note}",
        flush=True,
    )


def print_anchor(anchors):
    rps = [a["rps"] for a in anchors]
    cpu = [a["cpu_ms"] for a in anchors]
    print(
        f"Referenzseite ({len(rps)} Läufe): {min(rps):.1f}–{max(rps):.1f} req/s, "
        f"p50 {sum(a['p50'] for a in anchors) / len(anchors):.1f} ms, "
        f"CPU {sum(cpu) / len(cpu):.1f} ms je Anfrage",
        flush=True,
    )


def interrupted(*_):
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/kiportal_bench_pages"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--scales", default="1,10", help="seed_demo-Skalen, z. B. 1 oder 1,10")
    parser.add_argument("--seconds", type=int, default=10, help="wrk-Dauer je Lauf")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk-Threads")
    parser.add_argument("--port", type=int, default=0, help="Portal (0: ein freier Port)")
    parser.add_argument("--anchor-port", type=int, default=0, help="Referenzseite")
    parser.add_argument("--anchor-dir", type=Path, default=ROOT.parent / "shared/bench/anchor")
    parser.add_argument(
        "--plain-database-url", default="postgres://postgres@127.0.0.1:5432/plain_anchor"
    )
    parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD", "kiportal-demo"))
    parser.add_argument("--only", default="", help="nur diese Seiten (Kürzel, mit Komma)")
    args = parser.parse_args()

    if args.probe:
        probe(args.probe)
        return

    if not shutil.which("wrk"):
        raise SystemExit("wrk fehlt: apt-get install -y wrk (Debian/Ubuntu)")
    args.anchor_dir = args.anchor_dir.resolve()
    if not (args.anchor_dir / "plainsite" / "wsgi.py").exists():
        raise SystemExit(f"Referenzprojekt nicht gefunden: {args.anchor_dir} (--anchor-dir)")
    if urlparse(args.database_url).path.lstrip("/") in ("", "postgres", "kiportal"):
        raise SystemExit("--database-url: bitte eine eigene Datenbank (sie wird neu angelegt).")
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    pages = PAGES
    if args.only:
        wanted = set(args.only.split(","))
        pages = [p for p in PAGES if p.slug in wanted]
        if unknown := wanted - {p.slug for p in pages}:
            raise SystemExit(f"Unbekannte Seiten: {sorted(unknown)}")

    prefix = f"bench_pages_{os.getpid()}_{secrets.token_hex(3)}"
    media = tempfile.mkdtemp(prefix="kiportal-bench-media-")
    logdir = tempfile.mkdtemp(prefix="kiportal-bench-logs-")
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "PLAIN_"))
    }
    env = {
        **base,
        "DJANGO_SETTINGS_MODULE": "kiportal.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CACHE_KEY_PREFIX": prefix,
        "MEDIA_ROOT": media,
        "DEMO_PASSWORD": args.password,
        "LOG_LEVEL": "WARNING",
    }
    anchor_env = {
        **base,
        "DJANGO_SETTINGS_MODULE": "plainsite.settings",
        "PLAIN_DATABASE_URL": args.plain_database_url,
        "PYTHONDONTWRITEBYTECODE": "1",
    }

    # SIGTERM like Ctrl-C: the servers are stopped in the finally blocks.
    signal.signal(signal.SIGTERM, interrupted)
    load_start = uptime()
    print(f"Start: {load_start}")
    print(
        f"wrk: {args.connections} Verbindungen, {args.threads} Thread(s), {args.seconds} s je Lauf; "
        f"gunicorn 2 sync-Worker; Logs in {logdir}",
        flush=True,
    )
    summary = {}
    try:
        prepare_anchor(args, anchor_env)
        log("collectstatic (Produktion: Manifest mit gehashten Namen)")
        run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env)
        for scale in scales:
            print(f"\n== Skala {scale} ==", flush=True)
            rows = run_scale(args, scale, env, anchor_env, logdir, pages)
            worst = min(rows, key=lambda r: r["ratio"])
            summary[scale] = worst
            print(
                f"Skala {scale}: schlechtestes Verhältnis {worst['ratio']:.2f} "
                f"({worst['page'].title}), höchste Abfragezahl "
                f"{max(r['cold_queries'] for r in rows)} (erste Ansicht nach einer Änderung)",
                flush=True,
            )
    except KeyboardInterrupt:
        print("\nabgebrochen", file=sys.stderr)
        raise SystemExit(130) from None
    finally:
        shutil.rmtree(media, ignore_errors=True)
        with contextlib.suppress(Exception):
            import redis

            client = redis.Redis.from_url(args.redis_url)
            keys = list(client.scan_iter(f"{prefix}:*", count=1000))
            for n in range(0, len(keys), 500):
                client.delete(*keys[n : n + 500])
    print(f"\nStart: {load_start}\nEnde:  {uptime()}")
    print(
        "Schlechtestes Verhältnis zur Referenzseite: "
        + " · ".join(
            f"Skala {scale}: {w['ratio']:.2f} ({w['page'].title})" for scale, w in summary.items()
        )
    )


if __name__ == "__main__":
    main()
