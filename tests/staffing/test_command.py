"""``manage.py import_staffing``: the output contract and the exit status."""

import pytest
from django.core.management import call_command

from centers.models import Role
from staffing.models import Assignment

from .test_import import ROWS, csv_bytes


@pytest.fixture
def lead(home_center, user_as):
    return user_as(Role.CENTER_LEAD, home_center)


def _run(capsys, path, user, *extra):
    code = 0
    try:
        call_command("import_staffing", str(path), "--user", user.username, *extra)
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().out.strip().splitlines()


def test_dry_run_prints_the_summary_and_writes_nothing(tmp_path, capsys, lead):
    path = tmp_path / "liste.csv"
    path.write_bytes(csv_bytes())
    code, out = _run(capsys, path, lead, "--dry-run")
    assert (code, out) == (0, ["neu: 3, geändert: 0, unverändert: 0, Fehler: 0"])
    assert not Assignment.objects.exists()


def test_import_then_reimport_is_unchanged(tmp_path, capsys, lead):
    path = tmp_path / "liste.csv"
    path.write_bytes(csv_bytes())
    assert _run(capsys, path, lead)[0] == 0
    assert Assignment.objects.count() == 3
    assert _run(capsys, path, lead)[1] == ["neu: 0, geändert: 0, unverändert: 3, Fehler: 0"]


def test_errors_are_one_line_each_and_exit_non_zero(tmp_path, capsys, lead):
    path = tmp_path / "liste.csv"
    bad = ROWS[1].replace(";100 %;", ";1,5;")
    path.write_bytes(csv_bytes([ROWS[0], bad, ROWS[2]]))
    code, out = _run(capsys, path, lead)
    assert code == 1
    assert out[0].startswith("Zeile 3, Spalte Stellenanteil: ")
    assert out[-1] == "neu: 2, geändert: 0, unverändert: 0, Fehler: 1"
    assert not Assignment.objects.exists()


def test_an_unreadable_file_is_reported_not_raised(tmp_path, capsys, lead):
    path = tmp_path / "liste.csv"
    path.write_bytes(b"")
    code, out = _run(capsys, path, lead)
    assert code == 1
    assert out == ["Datei: Die Datei ist leer.", "neu: 0, geändert: 0, unverändert: 0, Fehler: 1"]
