"""The Schulaufsicht sees none of the money (issue 12): not on the centre page, not on the
Förderbescheid page, not in the centre's activity feed — but whether a centre is funded
(Nr. 1.4) it still sees."""

import pytest
from django.urls import reverse

from centers.models import Role
from reporting.funding.models import ApplicationStatus
from tests.funding.factories import make_application

pytestmark = pytest.mark.django_db

AMOUNT = "327.500,00"  # the decision's sum in German notation


@pytest.fixture
def decided(home_center):
    return make_application(home_center, status=ApplicationStatus.DECIDED).decision


@pytest.mark.parametrize("url_name", ["centers:detail", "centers:funding"])
def test_the_schulaufsicht_sees_no_amounts(client, role_users, home_center, decided, url_name):
    url = reverse(url_name, kwargs={"key": home_center.key})
    client.force_login(role_users[Role.SCHOOL_AUTHORITY])
    page = client.get(url)
    assert page.status_code == 200
    assert AMOUNT not in page.content.decode()
    client.force_login(role_users[Role.CENTER_LEAD])
    assert AMOUNT in client.get(url).content.decode()


def test_a_corrected_amount_is_not_in_the_schulaufsicht_activity_feed(
    client, role_users, home_center, decided
):
    from centers import services

    services.funding_decision_save(
        center=home_center,
        user=role_users[Role.FUNDING],
        decision=decided,
        expected_version=decided.version,
        amount=decided.amount + 1,
    )
    url = reverse("centers:activity", kwargs={"key": home_center.key})
    client.force_login(role_users[Role.CENTER_LEAD])
    assert AMOUNT in client.get(url).content.decode()  # the change, as the lead reads it
    client.force_login(role_users[Role.SCHOOL_AUTHORITY])
    assert AMOUNT not in client.get(url).content.decode()
    # ... nor in the Förderbescheid page's history.
    funding = reverse("centers:funding", kwargs={"key": home_center.key})
    assert AMOUNT not in client.get(funding).content.decode()


def test_the_schulaufsicht_still_sees_that_the_centre_is_funded(
    client, role_users, home_center, decided
):
    client.force_login(role_users[Role.SCHOOL_AUTHORITY])
    page = client.get(reverse("centers:funding", kwargs={"key": home_center.key})).content
    assert decided.file_number in page.decode()
