"""Issue 13: the SQL queries of every main page's first view after a change of the data, on
the demo data — the pages and users of ``benchmarks/pages.py``. The target is at most 12.

A served page (``kiportal.page_cache``) costs two queries (session, user); what is counted
here is the worst case behind it: nothing cached from the data (``tests.querycount``).
"""

import datetime
import importlib.util
import sys
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.querycount import count_queries

pytestmark = pytest.mark.django_db

TARGET = 12


def _benchmark_pages():
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "pages.py"
    spec = importlib.util.spec_from_file_location("benchmark_pages", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


# The demo data follow the calendar (which deadlines are near, which kinds of task wait): the
# day the numbers were taken.
DAY = datetime.datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@time_machine.travel(DAY, tick=True)
def test_every_main_page_stays_within_its_queries_on_the_first_view_after_a_change(client):
    call_command("seed_demo", stdout=StringIO())
    bench = _benchmark_pages()
    paths = bench.page_paths(bench.PAGES)
    users = get_user_model().objects
    found = {}
    for page in bench.PAGES:
        client.force_login(users.get(username=page.user))
        found[page.slug], _sql = count_queries(client, paths[page.slug])
    over = {slug: n for slug, n in found.items() if n > TARGET}
    assert not over, f"Abfragen über {TARGET}: {over}\nalle: {found}"
