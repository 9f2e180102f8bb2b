"""The ministry sees and edits concepts and funding in the Django admin; its
actions run the same services as the pages."""

import pytest
from django.urls import reverse

from centers.models import ConceptStatus, FundingDecision, Role
from tests import factories

from .helpers import make_agreement, make_concept, make_funding

pytestmark = pytest.mark.django_db


@pytest.fixture
def ministry_client(client):
    client.force_login(factories.user_with_role(Role.MINISTRY))
    return client


@pytest.mark.parametrize("model", ["integrationconcept", "fundingdecision", "targetagreement"])
def test_ministry_sees_every_list_and_record(ministry_client, home_center, model):
    concept = make_concept(home_center, complete=True)
    objects = {
        "integrationconcept": concept,
        "fundingdecision": make_funding(home_center, 2026),
        "targetagreement": make_agreement(home_center),
    }
    assert ministry_client.get(reverse(f"admin:centers_{model}_changelist")).status_code == 200
    change = reverse(f"admin:centers_{model}_change", args=[objects[model].pk])
    assert ministry_client.get(change).status_code == 200
    history = reverse(f"admin:centers_{model}_history", args=[objects[model].pk])
    assert ministry_client.get(history).status_code == 200


def test_admin_approve_action_uses_the_workflow(ministry_client, home_center):
    old = make_concept(home_center, status=ConceptStatus.APPROVED, complete=True)
    new = make_concept(home_center, status=ConceptStatus.SUBMITTED, complete=True, predecessor=old)
    response = ministry_client.post(
        reverse("admin:centers_integrationconcept_changelist"),
        {"action": "approve_concepts", "_selected_action": [new.pk]},
        follow=True,
    )
    assert "1 Konzept(e) bewilligt." in response.content.decode()
    old.refresh_from_db()
    new.refresh_from_db()
    assert (new.status, old.status) == (ConceptStatus.APPROVED, ConceptStatus.SUPERSEDED)


def test_admin_submit_action_reports_what_is_missing(ministry_client, home_center):
    draft = make_concept(home_center)
    response = ministry_client.post(
        reverse("admin:centers_integrationconcept_changelist"),
        {"action": "submit_concepts", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "Es fehlt: das beschließende Gremium" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ConceptStatus.DRAFT


def test_admin_edit_of_funding_is_in_the_history(ministry_client, home_center):
    decision = make_funding(home_center, 2026)
    ministry_client.post(
        reverse("admin:centers_fundingdecision_change", args=[decision.pk]),
        {
            "center": home_center.pk,
            "programme": decision.programme_id,
            "year": 2026,
            "amount": "320000.00",
            "file_number": decision.file_number,
            "decided_on": "2026-01-20",
            "funded_posts": "6.00",
            "note": "Änderungsbescheid",
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
        },
    )
    decision = FundingDecision.objects.get(pk=decision.pk)
    assert decision.note == "Änderungsbescheid"
    assert decision.version == 1
    assert decision.history.first().history_user.username.startswith("user")


def test_admin_return_action_asks_for_the_reason(ministry_client, home_center):
    concept = make_concept(home_center, status=ConceptStatus.SUBMITTED, complete=True)
    changelist = reverse("admin:centers_integrationconcept_changelist")
    page = ministry_client.post(
        changelist, {"action": "return_concepts", "_selected_action": [concept.pk]}
    )
    assert page.status_code == 200
    assert "Grund der Rückgabe" in page.content.decode()
    concept.refresh_from_db()
    assert concept.status == ConceptStatus.SUBMITTED

    response = ministry_client.post(
        changelist,
        {
            "action": "return_concepts",
            "_selected_action": [concept.pk],
            "confirm": "1",
            "reason": "Beschluss des Kreistags fehlt.",
        },
        follow=True,
    )
    assert "1 Konzept(e) zurückgegeben." in response.content.decode()
    concept.refresh_from_db()
    assert concept.status == ConceptStatus.RETURNED
    assert concept.return_reason == "Beschluss des Kreistags fehlt."
