"""The production shape (issue 2, part 9) without a Docker engine: the compose
file and the Dockerfile are parsed and checked for what an operator relies on,
and ``check --deploy`` runs against the production settings.

No Docker engine runs on our machines, so nothing here builds or starts the
containers; what can be checked without one is checked, including that the web
healthcheck's own request is answered by the portal with production security on.
"""

import os
import re
import secrets
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APP_SERVICES = ("web", "worker", "beat")


# --- docker-compose.yml ---------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    # safe_load resolves the YAML anchors / merge keys (x-app, x-app-environment).
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def command_of(service: dict) -> list[str]:
    command = service["command"]
    return command if isinstance(command, list) else command.split()


def mounts_of(service: dict) -> dict[str, str]:
    """``{volume name: path in the container}`` of a service's named volumes."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        mounts[source] = target
    return mounts


def health_test(service: dict) -> str:
    return " ".join(service["healthcheck"]["test"])


def test_compose_has_exactly_the_production_services(services):
    assert set(services) == {"db", "redis", "migrate", "web", "worker", "beat"}


def test_database_is_postgres_15_with_a_healthcheck_and_a_named_volume(compose, services):
    db = services["db"]
    assert db["image"] == "postgres:15"
    assert "pg_isready" in health_test(db)
    assert mounts_of(db) == {"db-data": "/var/lib/postgresql/data"}
    assert "db-data" in compose["volumes"]
    # The password is never a default shipped in the repository.
    assert db["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


def test_redis_is_redis_7_with_a_ping_healthcheck(services):
    redis = services["redis"]
    assert redis["image"] == "redis:7"
    assert health_test(redis).endswith("redis-cli ping")


def test_migrate_runs_once_before_the_app_and_loads_the_reference_data(services):
    migrate = services["migrate"]
    script = " ".join(command_of(migrate))
    assert "python manage.py migrate --noinput" in script
    assert "python manage.py load_reference_data" in script
    # `&&`: the reference data is loaded only onto a migrated schema.
    assert script.index("migrate --noinput") < script.index("&&") < script.index("load_reference")
    # A one-shot job: restarting it forever would never let the app start.
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_processes_wait_for_healthy_services_and_a_finished_migration(services, name):
    depends_on = services[name]["depends_on"]
    assert depends_on == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }


def test_web_runs_gunicorn_on_port_8000_without_a_control_socket(services):
    web = services["web"]
    command = command_of(web)
    assert command[:2] == ["gunicorn", "kiportal.wsgi"]
    assert command[command.index("--bind") + 1] == "0.0.0.0:8000"
    # gunicorn 27 would otherwise create ~/.gunicorn as the unprivileged user.
    assert "--no-control-socket" in command
    assert any(port.endswith(":8000") for port in web["ports"])
    # Static files come from whitenoise inside the app, not from another server.
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE


def test_worker_recycles_its_children_and_beat_keeps_its_schedule_on_a_volume(compose, services):
    assert command_of(services["worker"]) == [
        "celery",
        "-A",
        "kiportal",
        "worker",
        "-l",
        "info",
        "--concurrency",
        "2",
        "--max-tasks-per-child",
        "50",
    ]
    beat = command_of(services["beat"])
    assert beat[:6] == ["celery", "-A", "kiportal", "beat", "-l", "info"]
    schedule = beat[beat.index("--schedule") + 1]
    volume, path = next(iter(mounts_of(services["beat"]).items()))
    assert volume in compose["volumes"]
    assert schedule.startswith(path + "/")


def test_uploaded_documents_live_on_one_media_volume_shared_by_web_and_worker(compose, services):
    assert "media" in compose["volumes"]
    for name in ("web", "worker"):
        service = services[name]
        assert mounts_of(service)["media"] == service["environment"]["MEDIA_ROOT"], name
    # The worker writes the report PDFs that web serves: the same path in both.
    assert (
        services["web"]["environment"]["MEDIA_ROOT"]
        == (services["worker"]["environment"]["MEDIA_ROOT"])
    )


@pytest.mark.parametrize("name", (*APP_SERVICES, "migrate"))
def test_app_processes_get_the_production_environment(services, name):
    environment = services[name]["environment"]
    assert environment["DJANGO_ENV"] == "production"
    assert environment["DATABASE_URL"].startswith("postgres://kiportal:")
    assert environment["DATABASE_URL"].endswith("@db:5432/kiportal")
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    # No secret ships with the repository: compose refuses to start without one.
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert "ALLOWED_HOSTS" in environment
    assert "CSRF_TRUSTED_ORIGINS" in environment


def test_app_database_url_matches_the_database_service(services):
    db = services["db"]["environment"]
    url = services["web"]["environment"]["DATABASE_URL"]
    expected = (
        f"postgres://{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}@db:5432/{db['POSTGRES_DB']}"
    )
    assert url == expected


def test_every_named_volume_is_declared(compose, services):
    used = {
        volume
        for service in services.values()
        for volume in mounts_of(service)
        if not volume.startswith((".", "/"))
    }
    assert used == set(compose["volumes"])


def test_web_healthcheck_request_is_answered_by_the_production_portal(
    services, client, settings, monkeypatch, db
):
    """Run the healthcheck's own Python, catch the request it makes, and send that
    request to the portal with the production security settings: an allowed host
    and HTTPS (as the reverse proxy says), or Django answers 400 / a redirect."""
    test = services["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    sent = []
    monkeypatch.setattr(urllib.request, "urlopen", lambda request, timeout: sent.append(request))
    monkeypatch.setenv("ALLOWED_HOSTS", "portal.example,www.portal.example")
    exec(compile(test[3], "healthcheck", "exec"), {})
    (request,) = sent
    assert request.full_url == "http://127.0.0.1:8000/healthz/"

    settings.ALLOWED_HOSTS = ["portal.example", "www.portal.example"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    headers = {key.lower(): value for key, value in request.header_items()}
    response = client.get(
        "/healthz/",
        HTTP_HOST=headers.pop("host"),
        headers=headers,
    )
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    # Without the proxy's header the same request is only redirected to HTTPS.
    assert client.get("/healthz/", HTTP_HOST="portal.example").status_code == 301


# --- Dockerfile -------------------------------------------------------------------


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` pairs, continuation lines joined, comments dropped."""
    lines = [
        line
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")
    ]
    text = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    instructions = []
    for line in text.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def args_of(dockerfile, keyword: str) -> list[str]:
    return [rest for instruction, rest in dockerfile if instruction == keyword]


def test_image_is_python_3_11_on_debian_bookworm(dockerfile):
    assert dockerfile[0] == ("FROM", "python:3.11-slim-bookworm")


def test_image_installs_the_locked_runtime_dependencies_only(dockerfile):
    runs = args_of(dockerfile, "RUN")
    assert any("uv sync --frozen --no-dev" in run for run in runs)
    # The lock is copied before the sync, so the image gets what CI tested.
    copy_lock = next(i for i, (k, a) in enumerate(dockerfile) if k == "COPY" and "uv.lock" in a)
    sync = next(i for i, (k, a) in enumerate(dockerfile) if k == "RUN" and "uv sync" in a)
    assert copy_lock < sync


def test_image_has_what_weasyprint_needs(dockerfile):
    apt = " ".join(run for run in args_of(dockerfile, "RUN") if "apt-get install" in run)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-"):
        assert package in apt


def test_image_collects_static_files_with_production_settings(dockerfile):
    collect = next(run for run in args_of(dockerfile, "RUN") if "collectstatic" in run)
    assert "DJANGO_ENV=production" in collect
    # The build-time secret is set on that RUN line only, never baked into ENV.
    assert not any("SECRET_KEY" in env for env in args_of(dockerfile, "ENV"))


def test_image_runs_as_an_unprivileged_user(dockerfile):
    users = args_of(dockerfile, "USER")
    assert users, "no USER instruction: the containers would run as root"
    assert users[-1] not in {"root", "0", "0:0"}


def test_image_avoids_the_gunicorn_control_socket_in_home(dockerfile):
    env = " ".join(args_of(dockerfile, "ENV"))
    cmd = " ".join(args_of(dockerfile, "CMD"))
    assert "XDG_RUNTIME_DIR=" in env or "--no-control-socket" in cmd


def test_image_prepares_the_volume_paths_compose_mounts(dockerfile, services):
    """Fresh named volumes take ownership from the image's directory: the
    mounted paths must exist there, owned by the app user."""
    runs = " ".join(args_of(dockerfile, "RUN"))
    for name in ("web", "worker", "beat"):
        for path in mounts_of(services[name]).values():
            assert "mkdir -p" in runs and path in runs, path
            assert re.search(rf"chown [^&]*{re.escape(path)}", runs), path
    assert "MEDIA_ROOT=/data/media" in " ".join(args_of(dockerfile, "ENV"))


def test_dockerignore_keeps_secrets_and_local_data_out_of_the_image():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", ".git", ".venv", "db.sqlite3", "media", "staticfiles"} <= ignored


# --- .ci/run -------------------------------------------------------------------------


def test_ci_runs_the_readme_test_command_against_postgresql_and_redis():
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK), ".ci/run is not executable"
    text = script.read_text(encoding="utf-8")
    assert "set -euo pipefail" in text
    assert "uv run pytest" in (ROOT / "README.md").read_text(encoding="utf-8")
    # The same command, with nothing that narrows which tests run.
    (run_line,) = re.findall(r"^\s*(?:timeout\s.*?\s)?uv run pytest.*$", text, re.MULTILINE)
    assert run_line.split("uv run pytest", 1)[1].strip() in {"", "</dev/null"}
    assert 'export DATABASE_URL="postgres://' in text
    assert 'export REDIS_URL="redis://' in text
    # pytest's "no tests collected" must not pass as green.
    assert re.search(r"^\s*5\)", text, re.MULTILINE)


# --- manage.py check --deploy ------------------------------------------------------


def production_env(**extra: str) -> dict[str, str]:
    # The test process's own switches stay out (conftest sets
    # DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; check --deploy rightly refuses it).
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="portal.example",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


def test_check_deploy_with_production_settings_reports_no_issues():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout, output
    assert "WARNINGS:" not in output
    assert "security.W" not in output


def test_production_refuses_to_start_without_secret_key_or_allowed_hosts():
    # Read no .env file, so a developer's local one cannot supply the value.
    code = (
        "import environ; environ.Env.read_env = classmethod(lambda cls, *a, **k: None); "
        "import django; django.setup()"
    )
    processes = {}
    for missing in ("SECRET_KEY", "ALLOWED_HOSTS"):
        env = production_env(DJANGO_SETTINGS_MODULE="kiportal.settings")
        del env[missing]
        processes[missing] = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    for missing, process in processes.items():
        _, stderr = process.communicate(timeout=120)
        assert process.returncode != 0, missing
        assert "ImproperlyConfigured" in stderr, stderr
        assert missing in stderr, stderr
