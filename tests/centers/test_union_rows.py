"""Rows of different models in one UNION ALL (``centers.union_rows``): what comes back is
what the queryset itself would have given, across relations, for empty relations,
timestamps and annotations, in one query and without loading anything afterwards."""

import pytest
from django.db import connection
from django.db.models import CharField, F, Value

from centers.models import Membership, Role
from centers.union_rows import pack, unpack
from deployment.models import DeploymentPlan, ReviewComment
from tests import factories
from tests.deployment.factories import make_comment, make_plan

pytestmark = pytest.mark.django_db


def _read(*branches):
    """``(queryset, only)`` pairs, read in one UNION ALL as ``unpack`` gives them back."""
    parts = [
        rows.order_by()
        .annotate(label=Value(str(n), output_field=CharField()), row=pack(rows, only))
        .values_list("label", "pk", "row")
        for n, (rows, only) in enumerate(branches)
    ]
    first, *rest = parts
    return [
        unpack(branches[int(label)][0], pk, packed)
        for label, pk, packed in first.union(*rest, all=True)
    ]


def test_instances_of_two_models_come_back_as_their_querysets_give_them(
    django_assert_num_queries, home_center
):
    author = factories.UserFactory()
    comment = make_comment(make_plan(home_center), author, escalated=True)
    authority_member = factories.user_with_role(Role.SCHOOL_AUTHORITY, home_center)
    membership = Membership.objects.get(user=authority_member)
    comments = ReviewComment.objects.filter(pk=comment.pk).annotate(
        center_key=F("plan__center__key")
    )
    memberships = Membership.objects.filter(pk=membership.pk)
    assert connection.features.supports_json_field  # SQLite asks once per connection
    with django_assert_num_queries(1):
        read_comment, read_membership = _read(
            (
                comments,
                (
                    "escalated_at",
                    "plan__period_start",
                    "plan__period_end",
                    "plan__center__name",
                    "center_key",
                ),
            ),
            (memberships, ("role", "center__name")),
        )
        # Everything named is there without another query, two relations deep.
        assert read_comment.pk == comment.pk
        assert read_comment.escalated_at == comment.escalated_at  # aware, to the microsecond
        assert read_comment.plan.period == comment.plan.period
        assert read_comment.plan.center.name == home_center.name
        assert read_comment.plan.center.pk == home_center.pk
        assert read_comment.center_key == home_center.key
        assert read_membership.get_role_display() == membership.get_role_display()
        # A relation that is empty is None, not an empty centre.
        assert (read_membership.center, membership.center) == (None, None)
    # What was not named is loaded on first access, as with QuerySet.only().
    with django_assert_num_queries(1):
        assert read_comment.text == comment.text


def test_a_path_must_name_a_field_behind_forward_relations():
    plans = DeploymentPlan.objects.all()
    with pytest.raises(ValueError, match="forward relations"):
        pack(plans, ["foci__title"])
    with pytest.raises(ValueError, match="name a field"):
        pack(plans, ["center"])
