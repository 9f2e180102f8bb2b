"""The access core: memberships grant and revoke capabilities per centre."""

import pytest
from django.core.exceptions import ValidationError

from centers import access, services
from centers.models import Center, Membership, Role
from tests import factories

pytestmark = pytest.mark.django_db


def keys(qs):
    return set(qs.values_list("key", flat=True))


def test_ki_leitung_sees_only_her_centre(home_center):
    user = factories.user_with_role(Role.CENTER_LEAD, home_center)
    assert keys(access.centers_for(user)) == {"05315"}
    assert keys(access.centers_for(user, "manage_staffing")) == {"05315"}


def test_staff_reads_but_does_not_manage_the_staff_list(home_center):
    user = factories.user_with_role(Role.CENTER_STAFF, home_center)
    assert keys(access.centers_for(user, "view_staffing")) == {"05315"}
    assert not access.centers_for(user, "manage_staffing").exists()


def test_school_authority_sees_the_centres_of_its_district():
    aachen_region = factories.center("05334")
    user = factories.user_with_role(Role.SCHOOL_AUTHORITY, aachen_region)
    # The StädteRegion's Schulamt covers both Aachen centres (§3.5).
    assert keys(access.centers_for(user)) == {"05334", "05334002"}
    assert not access.centers_for(user, "view_staffing").exists()
    assert keys(access.centers_for(user, "view_teacher_posts")) == {"05334", "05334002"}


@pytest.mark.parametrize("role", [Role.LASI, Role.FUNDING, Role.MINISTRY])
def test_state_roles_see_all_54_centres(role, home_center):
    user = factories.user_with_role(role, home_center)
    assert access.centers_for(user).count() == 54 == Center.objects.count()


def test_funding_authority_has_no_staff_list(home_center):
    user = factories.user_with_role(Role.FUNDING, home_center)
    assert not access.centers_for(user, "view_staffing").exists()
    assert access.centers_for(user, "review_concept").count() == 54


def test_revoking_a_membership_removes_access_in_the_same_transaction(home_center):
    user = factories.user_with_role(Role.CENTER_LEAD, home_center)
    membership = Membership.objects.get(user=user)
    services.membership_revoke(membership=membership)
    assert not access.centers_for(user).exists()
    assert not user.groups.filter(name__startswith="ki:").exists()


def test_moving_a_centre_to_another_schulamt_moves_its_reviewers(home_center, other_center):
    reviewer = factories.user_with_role(Role.SCHOOL_AUTHORITY, other_center)
    assert keys(access.centers_for(reviewer)) == {"05314"}
    home_center.school_authority = other_center.school_authority
    services.center_save(center=home_center)
    assert keys(access.centers_for(reviewer)) == {"05314", "05315"}


def test_centre_roles_need_a_centre():
    user = factories.UserFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.membership_grant(user=user, role=Role.CENTER_LEAD)
    assert "Zentrum" in str(excinfo.value)
    assert not Membership.objects.filter(user=user).exists()


def test_centers_for_is_one_query_without_a_python_loop(home_center, django_assert_max_num_queries):
    user = factories.user_with_role(Role.CENTER_LEAD, home_center)
    user = type(user).objects.get(pk=user.pk)
    with django_assert_max_num_queries(3):
        list(access.centers_for(user))


def test_users_with_perm_finds_the_people_who_act_next(home_center):
    lead = factories.user_with_role(Role.CENTER_LEAD, home_center)
    staff = factories.user_with_role(Role.CENTER_STAFF, home_center)
    funding = factories.user_with_role(Role.FUNDING, home_center)
    found = set(access.users_with_perm("review_concept", home_center))
    assert funding in found and lead not in found
    assert set(access.users_with_perm("edit_concept", home_center)) >= {lead}
    assert staff not in set(access.users_with_perm("edit_concept", home_center))


def test_reference_data_is_complete_and_loading_it_twice_changes_nothing():
    before = (Center.objects.count(), Membership.objects.count())
    result = services.reference_data_load()
    assert result.centers == 54 and result.municipalities == 54 and result.school_authorities == 53
    assert (Center.objects.count(), Membership.objects.count()) == before
    aachen = factories.center("05334002")
    assert aachen.sponsor.parent.key == "05334"
    assert aachen.school_authority.key == "05334"
    assert aachen.sponsor.region == "Köln"


def test_sensitive_data_is_for_the_centres_own_leitung_only(home_center):
    lead = factories.user_with_role(Role.CENTER_LEAD, home_center)
    ministry = factories.user_with_role(Role.MINISTRY, home_center)
    perm = "view_sensitive_staff_data"
    assert keys(access.centers_for(lead, perm, membership_only=True)) == {"05315"}
    # The ministry sees everything else, but §3.4 values only as aggregates.
    assert access.centers_for(ministry, perm).count() == 54
    assert not access.centers_for(ministry, perm, membership_only=True).exists()
