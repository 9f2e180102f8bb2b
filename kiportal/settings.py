"""Settings for KI-Portal, read from the environment (django-environ).

Two shapes:
- the embedded default (nothing set): SQLite, tasks run in-process, e-mail
  on the console — a fresh clone runs with one command;
- production (``DJANGO_ENV=production``): ``SECRET_KEY`` and ``ALLOWED_HOSTS``
  must come from the environment, HTTPS-only cookies, HSTS, CSP;
  ``manage.py check --deploy`` is clean.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from kiportal.client_address import parse_trusted_proxies

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    DEBUG = env.bool("DEBUG", default=False)
else:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
    DEBUG = env.bool("DEBUG", default=True)

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Widget templates from the project's templates/ first (FORM_RENDERER below).
    "django.forms",
    "guardian",
    "axes",
    "simple_history",
    "django_filters",
    "django_htmx",
    "import_export",
    "csp",
    "centers",
    "staffing",
    "deployment",
    "reporting",
]

MIDDLEWARE = [
    # First: everything after it (axes, logs) sees the client's address, not the proxy's.
    "kiportal.client_address.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed after every middleware below has written them (static files do not
    # reach it: WhiteNoise answers them).
    "kiportal.middleware.HtmlGZipMiddleware",
    # Below WhiteNoise: static files keep their caching; every page gets no-store.
    "kiportal.middleware.ResponseHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kiportal.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A NUL byte or another control character in the URL is a 404 (after auth: the 404
    # page is the portal's own).
    "kiportal.middleware.RejectImpossibleInputMiddleware",
    # Anonymous users see only the login page (DESIGN.md §4).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # AxesMiddleware: it turns a lockout into the German lockout page.
    "axes.middleware.AxesMiddleware",
    # Last: a page answered from the cache still passes every middleware above.
    "kiportal.page_cache.PageCacheMiddleware",
]

ROOT_URLCONF = "kiportal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "centers.context_processors.navigation",
                # The page's one CSRF token, which the page cache swaps per answer.
                "kiportal.page_cache.csrf_token",
            ],
        },
    },
]

# Widgets render through TEMPLATES, so templates/django/forms/ overrides Django's own
# (the empty choice reads "– bitte wählen –", not "---------").
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "kiportal.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Persistent connections roughly double throughput on PostgreSQL (STACK-NOTES.md).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "kiportal.login_limits.AccountFailureLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after 30 minutes without a request: renewed at most once a minute
# (kiportal.middleware.SessionRenewalMiddleware), not written on every request. In the
# database, not the cache: a page still opens while Redis is away.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_RENEW_AFTER = 60

# A signed-in user's page is answered again from the cache until the data changes
# (kiportal/page_cache.py, centers/dataversion.py).
PAGE_CACHE = env.bool("PAGE_CACHE", default=True)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=15 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# The reverse proxies in front of the portal: their number ("1") or their networks
# ("10.0.0.0/8,192.168.5.2"); empty trusts none (kiportal/client_address.py). From it the
# client's address is read out of X-Forwarded-For — for axes and for the access log.
TRUSTED_PROXIES = parse_trusted_proxies(env.str("TRUSTED_PROXIES", default=""))

# django-axes: lock a username *at one address* after 5 failed logins for one hour, so
# that a stranger elsewhere cannot lock the real user out.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "kiportal.client_address.client_address"
# Attempts refused during a lockout neither count nor extend it (the per-account limit
# below counts only real password checks).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# And per account, from all addresses together, within the cool-off hour; addresses the
# account signed in from in the last LOGIN_KNOWN_ADDRESS_DAYS days are exempt
# (kiportal/login_limits.py).
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=30)
LOGIN_KNOWN_ADDRESS_DAYS = env.int("LOGIN_KNOWN_ADDRESS_DAYS", default=90)
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# django-guardian: no anonymous user object; direct foreign-key permission models.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("Englisch"))]
# The project's catalogues first; then the German the libraries' own catalogues lack in the
# admin (Django 5.2's password options, import-export's "Select all", "Sie" not "du").
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "kiportal" / "locale_vendor"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
# Dates as dd.mm.yyyy in both languages.
FORMAT_MODULE_PATH = ["kiportal.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded documents are private: they live under MEDIA_ROOT and are served
# only through views that check access. No URL pattern exposes MEDIA_ROOT.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = None
# Owner and group only (the web and worker processes share the group); never world-readable.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, serve static files straight from the app directories.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG and not PRODUCTION
MAX_UPLOAD_SIZE = env.int("MAX_UPLOAD_SIZE", default=20 * 1024 * 1024)
# An approved Integrationskonzept counts as current for this many years after the
# council's resolution (decree Nr. 1.4 names no period; five years is one
# Wahlperiode of Rat and Kreistag in NRW). The ministry may set another.
CONCEPT_VALIDITY_YEARS = env.int("CONCEPT_VALIDITY_YEARS", default=5)
# Uploaded staffing lists (names, e-mail addresses) and their previews are deleted
# this many days after the upload (data minimisation; the imported data stays).
IMPORT_JOB_RETENTION_DAYS = env.int("IMPORT_JOB_RETENTION_DAYS", default=7)
# Retention (DSGVO Art. 5 Abs. 1 Buchst. e; the Datenschutzerklärung states both).
# People on a staffing list are anonymised this many years after they left (the end of
# their last Besetzung); posts and shares stay for the statistics (staffing.retention).
STAFF_RETENTION_YEARS = env.int("STAFF_RETENTION_YEARS", default=3)
# Uploaded documents (concept PDFs, Bescheide, Zielvereinbarungen, application
# attachments) are deleted this many full calendar years after the year their matter
# closed: the funding year, the end of a Zielvereinbarung, the Fortschreibung that
# replaced a concept (reporting.funding.retention). Ten years: the usual period for
# Zuwendungsakten, beyond the five years ANBest-P Nr. 6.5 requires for the records.
DOCUMENT_RETENTION_YEARS = env.int("DOCUMENT_RETENTION_YEARS", default=10)
# Einsatzmanagement (Nr. 3.6): two-year periods starting on (month, day) — by default
# the school year's 1 August; the anchor year fixes which years begin a period.
DEPLOYMENT_PERIOD_START = (
    env.int("DEPLOYMENT_PERIOD_START_MONTH", default=8),
    env.int("DEPLOYMENT_PERIOD_START_DAY", default=1),
)
DEPLOYMENT_PERIOD_ANCHOR_YEAR = env.int("DEPLOYMENT_PERIOD_ANCHOR_YEAR", default=2025)
# Due dates behind the dashboards' to-do lists ("Aufgaben", centers.todo). Data, not code:
# the plan for a period is due this many months before the period starts (Nr. 3.6) ...
PLAN_DUE_MONTHS_BEFORE_PERIOD = env.int("PLAN_DUE_MONTHS_BEFORE_PERIOD", default=2)
# ... the centre's report to LaSI for a period this many months after the period ends ...
REPORT_DUE_MONTHS_AFTER_PERIOD = env.int("REPORT_DUE_MONTHS_AFTER_PERIOD", default=3)
# ... an expiring Integrationskonzept (CONCEPT_VALIDITY_YEARS) is listed this many months
# ahead for the KI-Leitung and for the Bewilligung ...
TODO_CONCEPT_EXPIRY_MONTHS_CENTER = env.int("TODO_CONCEPT_EXPIRY_MONTHS_CENTER", default=12)
TODO_CONCEPT_EXPIRY_MONTHS_FUNDING = env.int("TODO_CONCEPT_EXPIRY_MONTHS_FUNDING", default=6)
# ... and the Träger's decision on a qualification exception stays on the KI-Leitung's list
# for this many days.
TODO_DECIDED_EXCEPTION_DAYS = env.int("TODO_DECIDED_EXCEPTION_DAYS", default=30)
# A funding programme's application window is listed this many days before it opens.
TODO_FUNDING_APPLICATION_LEAD_DAYS = env.int("TODO_FUNDING_APPLICATION_LEAD_DAYS", default=60)
# ... and a Verwendungsnachweis this many days before it is due.
TODO_FUNDING_PROOF_LEAD_DAYS = env.int("TODO_FUNDING_PROOF_LEAD_DAYS", default=90)
# The reminder mail about an application deadline or a due Verwendungsnachweis goes out
# this many days before it.
FUNDING_REMINDER_DAYS_BEFORE = env.int("FUNDING_REMINDER_DAYS_BEFORE", default=21)
# The beat reminders use the same due dates; the mail about an expiring concept goes out
# this many months before its validity ends.
CONCEPT_REMINDER_MONTHS_BEFORE_EXPIRY = env.int("CONCEPT_REMINDER_MONTHS_BEFORE_EXPIRY", default=3)

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="kiportal"),
        }
    }

# Celery. Without a broker, tasks run in-process (the embedded default).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# ... and then on a thread pool after the commit, so no request waits for a PDF or an
# import (kiportal.celery); tests switch it off to run tasks synchronously.
TASKS_IN_BACKGROUND = env.bool("TASKS_IN_BACKGROUND", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 50
# Redis redelivers an unacknowledged task after the visibility timeout; it
# must exceed the longest task (report rendering: hard limit 15 minutes).
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Long jobs (import check, import, report) whose worker died: the sweep takes a job over
# when its heartbeat is this old and no live worker holds it; after this many takeovers
# it fails and the page offers a retry (centers.jobs).
JOB_HEARTBEAT_TIMEOUT = env.int("JOB_HEARTBEAT_TIMEOUT", default=3 * 60)
JOB_MAX_TAKEOVERS = env.int("JOB_MAX_TAKEOVERS", default=3)
# celery beat: the schedule (the job sweep, end-of-period reports, reminders), in code.
from reporting.schedule import CELERY_BEAT_SCHEDULE  # noqa: E402, F401, I001

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.smtp.EmailBackend"
        if PRODUCTION
        else "django.core.mail.backends.console.EmailBackend"
    ),
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="KI-Portal <noreply@ki-portal.nrw.de>")
# Where the accessibility statement's feedback form sends its messages (issue 14).
ACCESSIBILITY_CONTACT_EMAIL = env.str(
    "ACCESSIBILITY_CONTACT_EMAIL", default="barrierefreiheit@ki-portal.nrw.de"
)
# Scheme and host the portal is reached at (no path): links in e-mails are absolute.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Security headers, everywhere; HTTPS-only parts in production.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# No page of the portal uses these browser features.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# The CSRF refusal in German, on the portal's layout, without inline styles.
CSRF_FAILURE_VIEW = "kiportal.views.csrf_failure"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-src": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SILENCED_SYSTEM_CHECKS = []

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Demo accounts' password (seed_demo).
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="kiportal-demo")
