"""The ministry imports and exports staffing lists in the Django admin, with the portal's rules."""

import pytest
from django.urls import reverse

from centers.models import Role
from staffing import exporting
from staffing.models import Assignment, StaffMember
from staffing.resources import StaffingListResource

from .factories import StaffMemberFactory
from .test_import import ROWS, csv_bytes


@pytest.fixture
def ministry_client(client, user_as, db):
    client.force_login(user_as(Role.MINISTRY))
    return client


def _upload(client, data, name="liste.csv", fmt=0):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("admin:staffing_assignment_import"),
        {
            "resource": 0,
            "format": fmt,
            "import_file": SimpleUploadedFile(name, data, content_type="text/csv"),
        },
    )


def test_admin_import_previews_confirms_and_writes(ministry_client):
    response = _upload(ministry_client, csv_bytes())
    assert response.status_code == 200
    result = response.context["result"]
    assert result.totals["new"] == 3 and not result.has_validation_errors()
    assert not Assignment.objects.exists()
    confirm = response.context["confirm_form"]
    response = ministry_client.post(
        reverse("admin:staffing_assignment_process_import"), confirm.initial
    )
    assert response.status_code == 302
    assert Assignment.objects.count() == 3


def test_admin_import_shows_row_errors_in_german_and_writes_nothing(ministry_client):
    bad = ROWS[1].replace(";100 %;", ";abc;")
    response = _upload(ministry_client, csv_bytes([ROWS[0], bad]))
    result = response.context["result"]
    assert result.has_validation_errors()
    row = result.invalid_rows[0]
    assert row.number == 3
    assert "„abc“ ist kein Stellenanteil" in row.field_specific_errors["Stellenanteil"][0]
    assert "confirm_form" not in response.context
    assert not StaffMember.objects.exists()


def test_admin_import_of_an_unreadable_file_is_a_form_error(ministry_client):
    response = _upload(ministry_client, bytes(range(256)) * 20)
    assert "Binärdaten" in str(response.context["form"].errors["import_file"])


def test_admin_export_is_the_import_format(ministry_client):
    response = _upload(ministry_client, csv_bytes())
    ministry_client.post(
        reverse("admin:staffing_assignment_process_import"),
        response.context["confirm_form"].initial,
    )
    response = ministry_client.post(
        reverse("admin:staffing_assignment_export"),
        {
            "format": 0,
            "resource": 0,
            **{f"staffinglistresource_{name}": "on" for name in StaffingListResource.Meta.fields},
        },
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert text.startswith(";".join(exporting.HEADERS))
    assert "j.becker@stadt-koeln.example" in text


def test_the_admin_never_shows_the_sensitive_field(ministry_client):
    member = StaffMemberFactory(immigration_history="yes")
    page = ministry_client.get(reverse("admin:staffing_staffmember_change", args=[member.pk]))
    assert page.status_code == 200
    assert "immigration_history" not in page.content.decode()
    assert "Einwanderungsgeschichte" not in page.content.decode()
