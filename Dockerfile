# KI-Portal production image: gunicorn (web), Celery worker and beat share it.
# docker-compose.yml wires it to PostgreSQL 15 and Redis 7.
FROM python:3.11-slim-bookworm

# uv installs into /opt/venv with the image's own Python, never a download.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    PATH=/opt/venv/bin:$PATH

# WeasyPrint renders the LaSI reports with Pango/HarfBuzz (libharfbuzz-subset0
# is required by current releases, STACK-NOTES.md) and needs real fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fontconfig \
        fonts-dejavu-core \
        fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*

RUN pip install "uv==0.13.9"

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. The lock is
# committed: the image gets exactly what CI tested (no dev dependencies).
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .

# Static files are collected at build time into STATIC_ROOT (/app/staticfiles)
# and served by whitenoise with hashed names. The secret and host given here
# exist only for this RUN line; the containers get theirs from the environment.
RUN DJANGO_ENV=production \
    SECRET_KEY=collectstatic-only-build-time-key-not-used-at-runtime-0123456789 \
    ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput --verbosity 1

# Run as an unprivileged user. Uploaded documents (private, served only
# through views that check access) live on the media volume; beat keeps its
# schedule file on its own volume. Both directories exist in the image owned
# by the app user so that fresh named volumes inherit that ownership.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app app \
    && mkdir -p /data/media /data/beat \
    && chown app:app /data/media /data/beat

# gunicorn 27 puts a control socket under ~/.gunicorn: it is switched off
# below (--no-control-socket), and runtime files go to /tmp all the same.
ENV DJANGO_ENV=production \
    MEDIA_ROOT=/data/media \
    XDG_RUNTIME_DIR=/tmp

VOLUME ["/data/media"]

USER app

EXPOSE 8000

CMD ["gunicorn", "kiportal.wsgi", \
     "--bind", "0.0.0.0:8000", \
     "--workers", "3", \
     "--no-control-socket", \
     "--access-logfile", "-", \
     "--timeout", "60"]
