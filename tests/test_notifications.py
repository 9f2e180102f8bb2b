"""The one notification policy of the workflows (issue 11): who gets which mail,
absolute links, and German that fits every centre name."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse

from centers import services as center_services
from centers.models import ConceptStatus, Role
from centers.notifications import absolute_url, recipients_for
from deployment import services as plan_services
from deployment.periods import current_period
from reporting import services as report_services
from reporting.models import ReportStatus
from tests import factories
from tests.concepts.helpers import make_concept, pdf_upload
from tests.deployment.factories import make_plan
from tests.reporting.factories import report as make_report

SITE = "https://ki-portal.example.nrw"
METTMANN = "05158"
pytestmark = pytest.mark.django_db

# How a centre name gets declined wrongly: "des Kommunales Integrationszentrum Köln",
# or the kind of centre said twice.
BAD_GERMAN = re.compile(
    r"\b(des|dem|den|einem|eines) Kommunales\b|Integrationszentrum Kommunales|"
    r"Integrationszentrums Kommunales"
)
# A link that starts with "/" cannot be clicked in a mail program.
RELATIVE_LINK = re.compile(r"(?:^|[\s(])/[\w-]+/", re.MULTILINE)


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE + "/"  # a trailing slash must not double the one of the path


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and send the mails it enqueued on commit."""

    def call(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return call


@pytest.fixture
def people(home_center, other_center, role_users):
    """Every role on Köln, a second Köln Leitung, and Bonn's own people."""
    return {
        **role_users,
        "second_lead": factories.user_with_role(Role.CENTER_LEAD, home_center),
        "bonn_lead": factories.user_with_role(Role.CENTER_LEAD, other_center),
        "bonn_staff": factories.user_with_role(Role.CENTER_STAFF, other_center),
        "bonn_schulamt": factories.user_with_role(Role.SCHOOL_AUTHORITY, other_center),
    }


def mails_to(user):
    return [m for m in mail.outbox if user.email in m.to]


def emails(people, *keys):
    return sorted(people[k].email for k in keys)


def assert_fits(message, target):
    """Correct German about the centre, and a link to ``target`` (an object or a
    path) that can be clicked."""
    path = target if isinstance(target, str) else target.get_absolute_url()
    assert not BAD_GERMAN.search(message.subject), message.subject
    assert not BAD_GERMAN.search(message.body), message.body
    assert f"{SITE}{path}" in message.body
    assert not RELATIVE_LINK.search(message.body), message.body


# --- one transition of each workflow ---------------------------------------------------


def test_a_submitted_concept_goes_to_the_bewilligung_only(home_center, people, run):
    concept = make_concept(home_center, complete=True)
    concept = run(center_services.concept_submit, concept=concept, user=people[Role.CENTER_LEAD])

    [message] = mail.outbox
    # Not the Leitung who submitted, not the ministry, the LaSI or another centre.
    assert message.to == [people[Role.FUNDING].email]
    assert message.subject == (
        "Integrationskonzept eingereicht: Kommunales Integrationszentrum Köln"
    )
    assert "das Zentrum „Kommunales Integrationszentrum Köln“ hat" in message.body
    assert_fits(message, concept)


def test_a_submitted_plan_goes_to_the_districts_schulaufsicht_and_the_other_leitung(
    home_center, people, run
):
    plan = make_plan(home_center)
    plan = run(plan_services.plan_submit, plan=plan, user=people[Role.CENTER_LEAD])

    [message] = mail.outbox
    assert message.to == emails(people, Role.SCHOOL_AUTHORITY, "second_lead")
    assert mails_to(people["bonn_schulamt"]) == []
    assert "des Zentrums „Kommunales Integrationszentrum Köln“" in message.body
    assert_fits(message, plan)


def test_the_ministry_is_copied_on_no_plan_mail(home_center, people, run):
    lead, schulamt, lasi = (people[r] for r in (Role.CENTER_LEAD, Role.SCHOOL_AUTHORITY, Role.LASI))
    plan = make_plan(home_center)
    plan = run(plan_services.plan_submit, plan=plan, user=lead)
    run(plan_services.comment_add, plan=plan, user=schulamt, text="Zielwerte fehlen.")
    plan = run(plan_services.plan_return, plan=plan, user=schulamt, reason="Zielwerte fehlen.")
    plan = run(plan_services.plan_submit, plan=plan, user=lead)
    plan = run(plan_services.plan_agree, plan=plan, user=schulamt)
    plan = run(plan_services.plan_report, plan=plan, user=lead)
    reported = mail.outbox[-1]
    plan = run(plan_services.plan_acknowledge, plan=plan, user=lasi)
    acknowledged = mail.outbox[-1]

    assert len(mail.outbox) == 7
    assert mails_to(people[Role.MINISTRY]) == []
    assert reported.to == [lasi.email]
    # The LaSI's acknowledgement is news for the whole centre team, not for the LaSI.
    assert acknowledged.to == emails(people, Role.CENTER_LEAD, Role.CENTER_STAFF, "second_lead")
    for key in ("bonn_lead", "bonn_staff", "bonn_schulamt", Role.SPONSOR, Role.FUNDING):
        assert mails_to(people[key]) == [], key
    for message in mail.outbox:
        assert_fits(message, plan)


def test_a_report_goes_to_the_lasi_and_its_acknowledgement_to_the_leitung(home_center, people, run):
    lead, lasi = people[Role.CENTER_LEAD], people[Role.LASI]
    report = make_report(home_center, status=ReportStatus.READY)
    report = run(report_services.report_submit, report=report, user=lead)
    [submitted] = mail.outbox
    assert submitted.to == [lasi.email]
    assert_fits(submitted, report)

    report = run(report_services.report_acknowledge, report=report, user=lasi)
    acknowledged = mail.outbox[-1]
    assert acknowledged.to == emails(people, Role.CENTER_LEAD, "second_lead")
    assert_fits(acknowledged, report)
    assert mails_to(people[Role.MINISTRY]) == []
    assert mails_to(people["bonn_lead"]) == []


# --- every mail, for a city and a Kreis ---------------------------------------------------


@pytest.mark.parametrize("key", ["05315", METTMANN])
def test_every_workflow_mail_links_absolutely_and_declines_no_centre_name(key, run):
    center = factories.center(key)
    lead = factories.user_with_role(Role.CENTER_LEAD, center)
    staff = factories.user_with_role(Role.CENTER_STAFF, center)
    schulamt = factories.user_with_role(Role.SCHOOL_AUTHORITY, center)
    lasi = factories.user_with_role(Role.LASI)
    funder = factories.user_with_role(Role.FUNDING)
    sent = []

    def check(obj):
        assert mail.outbox, "no mail sent"
        for message in mail.outbox:
            assert_fits(message, obj)
            sent.append(message.subject)
        mail.outbox.clear()

    concept = make_concept(center, complete=True)
    concept = run(center_services.concept_submit, concept=concept, user=lead)
    check(concept)
    concept = run(
        center_services.concept_return, concept=concept, user=funder, reason="Protokoll fehlt."
    )
    check(concept)
    concept = run(center_services.concept_submit, concept=concept, user=lead)
    check(concept)
    concept = run(center_services.concept_approve, concept=concept, user=funder)
    check(concept)
    funding_page = reverse("centers:funding", kwargs={"key": center.key})
    run(
        center_services.funding_decision_save,
        center=center,
        user=funder,
        year=2026,
        amount="312500.00",
        file_number="36.03.04/2026",
        decided_on=datetime.date(2026, 1, 20),
        funded_posts="5.50",
    )
    check(funding_page)
    run(
        center_services.target_agreement_save,
        center=center,
        user=funder,
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2027, 12, 31),
        upload=pdf_upload("ziel.pdf"),
    )
    check(funding_page)

    plan = make_plan(center)
    plan = run(plan_services.plan_submit, plan=plan, user=lead)
    check(plan)
    comment = run(plan_services.comment_add, plan=plan, user=schulamt, text="Zu wenig Schule.")
    check(plan)
    run(plan_services.comment_add, plan=plan, user=staff, text="Wir ergänzen das.")
    check(plan)
    run(plan_services.comment_escalate, comment=comment, user=lead)
    check(plan)
    run(plan_services.comment_resolve, comment=comment, user=schulamt, resolution="Geklärt.")
    check(plan)
    plan = run(plan_services.plan_return, plan=plan, user=schulamt, reason="Zielwerte fehlen.")
    check(plan)
    plan = run(plan_services.plan_submit, plan=plan, user=lead)
    mail.outbox.clear()
    plan = run(plan_services.plan_agree, plan=plan, user=schulamt)
    check(plan)
    plan = run(plan_services.plan_report, plan=plan, user=lead)
    check(plan)
    plan = run(plan_services.plan_acknowledge, plan=plan, user=lasi)
    check(plan)

    report = make_report(center, status=ReportStatus.READY)
    report = run(report_services.report_submit, report=report, user=lead)
    check(report)
    report = run(report_services.report_acknowledge, report=report, user=lasi)
    check(report)
    assert len(sent) == 17


@pytest.mark.parametrize("key", ["05315", METTMANN])
def test_the_scheduled_mails_link_absolutely_and_decline_no_centre_name(key):
    center = factories.center(key)
    concept = make_concept(center, status=ConceptStatus.APPROVED, complete=True)
    report = make_report(center, status=ReportStatus.READY)
    period = current_period()
    bodies = [
        render_to_string(
            "reporting/email/reports_generated.txt",
            {"center": center, "period": period, "report": report},
        ),
        render_to_string(
            "reporting/email/plan_missing.txt", {"center": center, "period": period.next()}
        ),
        render_to_string(
            "reporting/email/concept_expiring.txt",
            {"center": center, "concept": concept, "valid_until": datetime.date(2030, 3, 20)},
        ),
    ]
    for body in bodies:
        assert not BAD_GERMAN.search(body), body
        assert f"{SITE}/" in body
        assert not RELATIVE_LINK.search(body), body
    assert f"{SITE}{report.get_absolute_url()}" in bodies[0]
    assert f"„{center.name}“" in bodies[1]


# --- the policy itself -----------------------------------------------------------------------


def test_recipients_leave_out_inactive_users_and_users_without_an_address(home_center):
    active = factories.user_with_role(Role.CENTER_LEAD, home_center)
    gone = factories.user_with_role(Role.CENTER_LEAD, home_center)
    no_address = factories.user_with_role(Role.CENTER_LEAD, home_center)
    get_user_model().objects.filter(pk=gone.pk).update(is_active=False)
    get_user_model().objects.filter(pk=no_address.pk).update(email="")

    assert recipients_for(center=home_center, capability="submit_plan") == [active.email]


def test_state_roles_and_superusers_only_where_named(home_center, role_users):
    ministry, lasi = role_users[Role.MINISTRY], role_users[Role.LASI]
    lead = role_users[Role.CENTER_LEAD]
    # Every one of them holds "view_reports" on Köln.
    assert recipients_for(center=home_center, capability="view_reports") == sorted(
        role_users[r].email
        for r in (Role.CENTER_LEAD, Role.CENTER_STAFF, Role.SPONSOR, Role.SCHOOL_AUTHORITY)
    )
    named = recipients_for(
        center=home_center, capability="view_reports", state_roles=[Role.LASI], actor=lead
    )
    assert lasi.email in named and ministry.email not in named and lead.email not in named
    with_ministry = recipients_for(
        center=home_center, capability="acknowledge_plan", state_roles=[Role.MINISTRY]
    )
    assert with_ministry == [ministry.email]
    with pytest.raises(ValueError):
        recipients_for(center=home_center, capability="view_plan", state_roles=[Role.SPONSOR])


def test_absolute_url_joins_the_site_url_with_a_path_or_an_object(home_center):
    assert absolute_url("/zentren/05315/") == f"{SITE}/zentren/05315/"
    assert absolute_url(home_center) == f"{SITE}/zentren/05315/"
    assert absolute_url("https://andere.example/x/") == "https://andere.example/x/"
