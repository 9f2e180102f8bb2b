"""Integrationskonzept, Bewilligung and Landesförderung (issue 3)."""

from centers.models import ConceptStatus, Role
from tests.concepts.helpers import make_agreement, make_concept, make_funding

from .registry import ALL_ROLES, Route, ok

EDITORS = ok(Role.CENTER_LEAD, Role.MINISTRY)
FUNDERS = ok(Role.FUNDING, Role.MINISTRY)
READERS = ok(*ALL_ROLES)


def _center(center, **_):
    return {"key": center.key}


def _draft(center, **_):
    return {"key": center.key, "pk": make_concept(center, complete=True).pk}


def _submitted(center, **_):
    concept = make_concept(center, status=ConceptStatus.SUBMITTED, complete=True)
    return {"key": center.key, "pk": concept.pk}


def _participation(center, **_):
    concept = make_concept(center, complete=True)
    return {
        "key": center.key,
        "pk": concept.pk,
        "participation": concept.participations.first().pk,
    }


def _funding(center, **_):
    return {"key": center.key, "pk": make_funding(center, 2026).pk}


def _agreement(center, **_):
    return {"key": center.key, "pk": make_agreement(center).pk}


ROUTES = [
    Route(
        "centers:concept_review_queue",
        allowed=FUNDERS,
        denied=403,
        scoped=False,
    ),
    # The funding programmes: who sees money (not the Schulaufsicht, issue 12).
    Route(
        "centers:programmes",
        allowed=ok(Role.CENTER_LEAD, Role.SPONSOR, Role.FUNDING, Role.MINISTRY),
        denied=403,
        scoped=False,
    ),
    Route("centers:concept_list", kwargs=_center, allowed=READERS),
    Route("centers:concept_create", kwargs=_center, allowed=EDITORS),
    Route("centers:concept_detail", kwargs=_draft, allowed=READERS),
    Route("centers:concept_update", kwargs=_draft, allowed=EDITORS),
    Route("centers:concept_document", kwargs=_draft, allowed=READERS),
    Route("centers:concept_upload", kwargs=_draft, allowed=EDITORS),
    Route("centers:participation_create", kwargs=_draft, allowed=EDITORS),
    Route("centers:participation_update", kwargs=_participation, allowed=EDITORS),
    Route("centers:participation_delete", kwargs=_participation, allowed=EDITORS),
    Route("centers:concept_submit", kwargs=_draft, allowed=EDITORS),
    Route("centers:concept_approve", kwargs=_submitted, allowed=FUNDERS),
    Route("centers:concept_return", kwargs=_submitted, allowed=FUNDERS),
    Route("centers:funding", kwargs=_center, allowed=READERS),
    Route("centers:funding_decision_create", kwargs=_center, allowed=FUNDERS),
    Route("centers:funding_decision_update", kwargs=_funding, allowed=FUNDERS),
    Route("centers:target_agreement_create", kwargs=_center, allowed=FUNDERS),
    Route("centers:target_agreement_update", kwargs=_agreement, allowed=FUNDERS),
    Route("centers:target_agreement_document", kwargs=_agreement, allowed=READERS),
    Route("centers:activity", kwargs=_center, allowed=READERS),
]
