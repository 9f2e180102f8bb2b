"""One term per concept (issue 14, finding 6): the decree is a Runderlass with Nummern
("Nr. 1.4", never "§ 1.4"), the operating status has one name ("Betrieb nach Nr. 1.4"),
LaSI takes the article, and Django's "das selbe" is not the portal's German.

Scans the portal's templates and Python source (not tests, not migrations, not the
virtualenv) line by line and lists every forbidden variant as file:line. Real laws keep
their "§" ("§ 5 DDG", "§ 27 GO", "§ 78 SGB VIII"): none of them starts like a Nummer of
the decree.
"""

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("centers", "deployment", "kiportal", "reporting", "staffing", "templates")
SUFFIXES = {".py", ".html", ".txt"}
SKIP_DIRS = {"migrations", "__pycache__", ".venv", "node_modules"}

# Nummern of the decree written as Paragraphen: "§ 1.4", "§1.3.2", "§ 3", "§4.1", "§6.2" …
# A real law keeps its "§": a whole number followed by the law ("§ 3 DSG NRW", "§ 5 DDG",
# "§ 78 SGB VIII", "§ 27 GO"); "DESIGN.md §4" is a section of the design notes.
PARAGRAPH = re.compile(r"(?<!DESIGN\.md )(?:§ 1\.|§1\.|§ [346]|§[346]\.)")
REFERENCE = re.compile(r"§\s?(\d+(?:\.\d+)*)(\s+(?:Abs\.|[A-ZÄÖÜ]))?")

FORBIDDEN = (
    # One name for the operating status: "Betrieb nach Nr. 1.4".
    "Betriebsvoraussetzungen",
    "Status (§",
    "Status (Nr. 1.4)",
    "Betrieb (Nr. 1.4)",
    "Betrieb (§",
    # "an die LaSI …".
    "an LaSI ",
    # Django's German; the portal writes "dasselbe".
    "das selbe",
)


def forbidden_in(line: str) -> list[str]:
    found = [variant for variant in FORBIDDEN if variant in line]
    for match in PARAGRAPH.finditer(line):
        reference = REFERENCE.match(line, match.start())
        is_law = "." not in reference.group(1) and reference.group(2) is not None
        if not is_law:
            found.append(reference.group(0).strip())
    return found


# Files another change is rewriting at the same time (issue 14): their "§" strings are
# listed in that change's report. Empty this set when it has landed.
PENDING: set[str] = set()


def _source_files():
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix not in SUFFIXES or not path.is_file():
                continue
            relative = path.relative_to(ROOT)
            if SKIP_DIRS.intersection(relative.parts) or relative.as_posix() in PENDING:
                continue
            yield relative, path


def test_the_portal_uses_one_term_per_concept():
    found = []
    for relative, path in _source_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for variant in forbidden_in(line):
                found.append(f"{relative}:{number}: {variant!r} in {line.strip()[:100]}")
    assert not found, "Forbidden variants (see issue 14):\n" + "\n".join(found)


def test_the_check_finds_the_variants_and_spares_real_laws():
    """The scan is not vacuous: the variants it forbids are the ones the issue found."""
    samples = [
        "Status (§ 1.4)",
        "Betriebsvoraussetzungen (§ 1.4)",
        "(§4.1)",
        "Land-Zuwendung (§6.2)",
        "an LaSI gemeldet",
        "Bitte das selbe Passwort",
    ]
    for sample in [*samples, "(§ 3)", "nach §1.3.3", "§ 4.3 Satz 2"]:
        assert forbidden_in(sample), sample
    allowed = [
        "§ 5 DDG",
        "§ 18 MStV",
        "§ 27 GO",
        "§ 78 SGB VIII",
        "§ 3 Datenschutzgesetz Nordrhein-Westfalen",
        "§ 4 Abs. 1 BITV NRW",
        "DESIGN.md §4.",
        "Nr. 1.4",
        "Nr. 3.6",
        "dasselbe Passwort",
    ]
    for text in allowed:
        assert not forbidden_in(text), text


# --- German the portal writes itself --------------------------------------------------------


def test_the_empty_choice_reads_bitte_waehlen():
    """Django's "---------" in every select, the admin's included (one widget template)."""
    from django import forms

    from centers.models import Center

    class Form(forms.Form):
        center = forms.ModelChoiceField(queryset=Center.objects.none(), required=False)
        kind = forms.TypedChoiceField(choices=[("", "---------"), ("a", "A")], required=False)

    html = str(Form())
    assert html.count("– bitte wählen –") == 2
    assert "---------" not in html


def test_the_password_change_form_writes_dasselbe():
    from centers.forms import PasswordChangeForm

    form = PasswordChangeForm(user=None)
    assert "dasselbe Passwort" in str(form.fields["new_password2"].help_text)
    assert "das selbe" not in str(form)


def test_a_kreis_schulamt_is_declined_in_the_accusative():
    from centers.models import Municipality, MunicipalityKind
    from centers.services import _school_authority_name

    def name(kind, municipality):
        return _school_authority_name(Municipality(kind=kind, name=municipality))

    assert (
        name(MunicipalityKind.DISTRICT, "Märkischer Kreis") == "Schulamt für den Märkischen Kreis"
    )
    assert (
        name(MunicipalityKind.DISTRICT, "Rheinisch-Bergischer Kreis")
        == "Schulamt für den Rheinisch-Bergischen Kreis"
    )
    assert name(MunicipalityKind.DISTRICT, "Kreis Mettmann") == "Schulamt für den Kreis Mettmann"
    assert name(MunicipalityKind.DISTRICT, "Hochsauerlandkreis") == (
        "Schulamt für den Hochsauerlandkreis"
    )
    assert name(MunicipalityKind.CITY, "Köln") == "Schulamt für die Stadt Köln"


@pytest.mark.django_db
def test_schulaemter_loaded_before_are_declined_by_the_migration():
    from django.apps import apps

    from centers.models import SchoolAuthority

    migration = importlib.import_module("centers.migrations.0014_schulamt_names_declined")
    wrong = SchoolAuthority.objects.create(key="99901", name="Schulamt für den Märkischer Kreis")
    edited = SchoolAuthority.objects.create(key="99902", name="Schulamt Märkischer Kreis")
    migration.decline(apps, None)
    wrong.refresh_from_db()
    edited.refresh_from_db()
    assert wrong.name == "Schulamt für den Märkischen Kreis"
    assert edited.name == "Schulamt Märkischer Kreis"  # not the generated form: left alone


def test_the_password_change_page_writes_dasselbe(client, django_user_model):
    user = django_user_model.objects.create_user("pw-user", password="alt-Passwort-1")
    client.force_login(user)
    page = client.get("/accounts/password_change/").content.decode()
    assert "das selbe" not in page
