"""Workflow fields are read-only in the admin; state changes only through the services
(issue 14): status, decided/submitted by/at, the notes and the lock's version."""

import pytest
from django.contrib import admin
from django.urls import reverse

from centers.admin_base import PortalAdmin, workflow_fields
from centers.models import ConceptStatus
from centers.workflow.transitions import workflows
from tests.concepts.helpers import make_concept

pytestmark = pytest.mark.django_db


def test_every_workflow_field_is_read_only_in_its_admin(rf, minister):
    request = rf.get("/admin/")
    request.user = minister
    checked = 0
    for workflow in workflows():
        model_admin = admin.site._registry.get(workflow.model)
        if model_admin is None:
            continue  # not in the admin at all
        checked += 1
        assert isinstance(model_admin, PortalAdmin), workflow.model
        readonly = set(model_admin.get_readonly_fields(request, None))
        assert set(workflow_fields(workflow.model)) <= readonly, workflow.model
        assert not set(model_admin.list_editable) & set(workflow_fields(workflow.model))
    assert checked >= 4  # concept, plan, report, qualification exception


def test_the_fields_come_from_the_declared_transitions():
    from centers.models import IntegrationConcept

    fields = workflow_fields(IntegrationConcept)
    for name in ["status", "submitted_at", "decided_at", "decided_by", "return_reason"]:
        assert name in fields


def test_the_change_form_offers_no_status_and_ignores_a_posted_one(
    ministry_client, home_center, minister
):
    concept = make_concept(home_center, complete=True)
    url = reverse("admin:centers_integrationconcept_change", args=[concept.pk])
    html = ministry_client.get(url).content.decode()
    assert 'name="status"' not in html
    assert 'name="decided_by"' not in html
    assert 'name="submitted_at_0"' not in html

    form = ministry_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        {
            "status": ConceptStatus.APPROVED,
            "decided_by": minister.pk,
            "participations-TOTAL_FORMS": "0",
            "participations-INITIAL_FORMS": "0",
            "centers-timelineevent-content_type-object_id-TOTAL_FORMS": "0",
            "centers-timelineevent-content_type-object_id-INITIAL_FORMS": "0",
        }
    )
    ministry_client.post(url, data)
    concept.refresh_from_db()
    assert concept.status == ConceptStatus.DRAFT
    assert concept.decided_by is None
