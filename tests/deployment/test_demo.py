"""The demo data gives every role work and can be loaded twice."""

import pytest

from centers import demo as centers_demo
from deployment import demo
from deployment.models import DeploymentPlan, Focus, PlanStatus, ReviewComment
from deployment.periods import current_period

pytestmark = pytest.mark.django_db


def test_demo_plans_for_every_state_and_idempotent():
    centers_demo.seed(scale=1)
    first = demo.seed(scale=1)
    assert first["plans"] > 100
    again = demo.seed(scale=1)
    assert again["plans"] == 0
    period = current_period()
    current = DeploymentPlan.objects.filter(period_start=period.start, is_current=True)
    assert current.count() == 54 - len(demo.MISSING)
    assert set(current.values_list("status", flat=True)) == set(PlanStatus.values)
    by_key = {p.center.key: p for p in current.select_related("center")}
    assert by_key[demo.KOELN].status == PlanStatus.DRAFT
    assert by_key[demo.BONN].revision == 2 and by_key[demo.BONN].status == PlanStatus.DRAFT
    assert by_key[demo.BONN].predecessor.status == PlanStatus.AGREED
    assert ReviewComment.objects.filter(
        plan=by_key[demo.METTMANN], escalated_at__isnull=False, resolved_at__isnull=True
    ).exists()
    assert Focus.objects.filter(shared=True, plan__center__key=demo.KOELN).exists()
    # Every plan has both Grundförderung parts (§1.3.3).
    assert Focus.objects.exclude(basic_component="").count() == 2 * DeploymentPlan.objects.count()
