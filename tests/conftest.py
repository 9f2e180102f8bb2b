import os

import pytest
from django.core.management import call_command

from centers.models import Role
from tests import factories

# Playwright drives the live server from the test's thread (pytest-django docs).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HOME_CENTER = "05315"  # Köln
OTHER_CENTER = "05314"  # Bonn: another centre *and* another Schulamt


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The NRW reference data is part of every test database, loaded once."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.TASKS_IN_BACKGROUND = False  # tasks run synchronously, in the test's transaction
    settings.LANGUAGE_CODE = "de"
    # Tests read ``response.context``, which a page answered from the cache has not; the
    # page cache is tested on its own (tests/test_page_cache.py) and in the browser tests.
    settings.PAGE_CACHE = False


@pytest.fixture
def home_center(db):
    return factories.center(HOME_CENTER)


@pytest.fixture
def other_center(db):
    return factories.center(OTHER_CENTER)


@pytest.fixture
def role_users(home_center):
    """One user per role for the home centre (Köln)."""
    return {role: factories.user_with_role(role, home_center) for role in Role.values}


@pytest.fixture
def user_as():
    """``user_as(role, center)`` — a fresh user holding a role."""
    return factories.user_with_role
