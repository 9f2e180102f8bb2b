"""Finding 10 of issue 15: a Schwerpunkt's goal and measures took 200,000 characters (an
80-page, 10-second report), and in the PDF's fact tables a long word without break
points was cut off (53 of 150 characters shown). Every text users type now has a bound
with a German message — in the form, in the service (full_clean) — and the PDF wraps
long words."""

import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from centers.models import Role
from centers.text import LONG, NOTE, TEXT
from deployment import services as deployment_services
from deployment.models import Focus, PlanStatus, ReviewComment
from reporting import tasks
from reporting.models import ReportStatus
from staffing import services as staffing_services
from tests.concepts.helpers import make_concept
from tests.deployment import factories as f
from tests.reporting import factories as report_factories
from tests.staffing.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db

GERMAN_TOO_LONG = "Bitte sicherstellen, dass der Wert aus höchstens {limit} Zeichen besteht."


@pytest.fixture
def lead(client, user_as, home_center):
    user = user_as(Role.CENTER_LEAD, home_center)
    client.force_login(user)
    return user


def _focus_data(focus, **extra):
    data = {
        "title": focus.title,
        "field": focus.field,
        "stage": focus.stage,
        "target_groups": focus.target_groups,
        "goal": focus.goal,
        "measures": focus.measures,
        "indicators": focus.indicators,
        "partners": focus.partners,
        "other_partners": "",
        "programmes": focus.programmes,
        "expected_version": focus.version,
    }
    data.update(extra)
    return data


def test_the_focus_form_refuses_a_goal_of_200000_characters(client, lead, home_center):
    focus = f.make_plan(home_center).foci.get(basic_component="")
    url = reverse("deployment:focus_edit", kwargs={"pk": focus.pk})
    response = client.post(url, _focus_data(focus, goal="Ziel " * 40_000))
    assert response.status_code == 200
    assert GERMAN_TOO_LONG.format(limit=NOTE) in response.content.decode()
    focus.refresh_from_db()
    assert focus.version == 0 and len(focus.goal) < 100


def test_the_form_says_how_long_it_may_be(client, lead, home_center):
    focus = f.make_plan(home_center).foci.get(basic_component="")
    page = client.get(reverse("deployment:focus_edit", kwargs={"pk": focus.pk})).content.decode()
    assert f'maxlength="{TEXT}"' in page  # measures
    assert f'maxlength="{NOTE}"' in page  # goal, indicators


def test_the_service_refuses_it_too(home_center, user_as):
    """The admin, an importer or a later view reach the same bound through full_clean."""
    focus = f.make_plan(home_center).foci.get(basic_component="")
    user = user_as(Role.CENTER_LEAD, home_center)
    with pytest.raises(ValidationError) as caught:
        deployment_services.focus_update(
            focus=focus,
            user=user,
            data={"measures": "M" * (TEXT + 1)},
            expected_version=focus.version,
        )
    assert GERMAN_TOO_LONG.format(limit=TEXT) in str(caught.value)
    with pytest.raises(ValidationError):
        deployment_services.focus_create(
            plan=focus.plan,
            user=user,
            data={"title": "Neu", "field": focus.field, "stage": focus.stage, "goal": "Z" * 2001},
        )
    assert Focus.objects.filter(plan=focus.plan).count() == 3


def test_the_strategic_planning_is_bounded(client, lead, home_center):
    plan = f.make_plan(home_center)
    response = client.post(
        reverse("deployment:plan_edit", kwargs={"pk": plan.pk}),
        {"summary": "S" * (LONG + 1), "partners_agreed_on": "", "expected_version": plan.version},
    )
    assert GERMAN_TOO_LONG.format(limit=LONG) in response.content.decode()


def test_a_comment_too_long_is_refused_with_the_reason(client, lead, home_center):
    plan = f.make_plan(home_center, status=PlanStatus.SUBMITTED)
    url = reverse("deployment:comment_add", kwargs={"pk": plan.pk})
    response = client.post(url, {"text": "K" * (TEXT + 1)}, follow=True)
    assert GERMAN_TOO_LONG.format(limit=TEXT) in response.content.decode()
    assert not ReviewComment.objects.exists()


def test_a_qualification_exception_reason_is_bounded(home_center, user_as):
    member = StaffMemberFactory(center=home_center)
    with pytest.raises(ValidationError) as caught:
        staffing_services.exception_propose(
            member=member,
            kind="specialist",
            reason="B" * (TEXT + 1),
            user=user_as(Role.CENTER_LEAD, home_center),
        )
    assert GERMAN_TOO_LONG.format(limit=TEXT) in str(caught.value)


def test_the_concept_form_bounds_its_texts(client, lead, home_center):
    """The centres app's models stay as they are for now (others change them): the form
    carries the bound."""
    concept = make_concept(home_center)
    response = client.post(
        reverse("centers:concept_update", kwargs={"key": home_center.key, "pk": concept.pk}),
        {"title": concept.title, "summary": "K" * (TEXT + 1), "version": concept.version},
    )
    assert GERMAN_TOO_LONG.format(limit=TEXT) in response.content.decode()
    concept.refresh_from_db()
    assert concept.summary == ""


# --- the report ----------------------------------------------------------------------------------


def _words(pdf: Path) -> list[tuple[float, float, str]]:
    """(xMax, page width, word) of every word poppler finds on the pages."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = []
    for page in re.finditer(r'<page width="([\d.]+)".*?</page>', html, re.S):
        width = float(page.group(1))
        for x_max, word in re.findall(
            r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
            page.group(0),
        ):
            words.append((float(x_max), width, word))
    return words


def test_a_long_word_in_the_report_wraps_instead_of_being_cut_off(home_center):
    from tests.reporting.conftest import make_plan

    word = "Integrationszentrumsdokumentationsanforderungsverzeichnis" * 3  # 168 letters
    plan = make_plan(home_center)
    Focus.objects.filter(plan=plan, position=0).update(goal=f"Ziel: {word} Ende")
    report = report_factories.report(home_center, status=ReportStatus.QUEUED)
    tasks.render_report.apply(args=[report.pk], throw=True)
    report.refresh_from_db()
    pdf = Path(settings.MEDIA_ROOT) / report.file.name

    words = _words(pdf)
    pieces = [w for w in words if w[2] and w[2] in word]
    assert pieces, "the word is not in the PDF"
    # Every piece lies on the page …
    assert all(x_max <= width for x_max, width, _w in pieces)
    # … and the pieces together are the whole word.
    joined = "".join(w for _x, _w, w in pieces)
    assert word in joined
