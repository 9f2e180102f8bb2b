"""What a row of a staffing list means (DESIGN.md §6, extended): its assignment is found
by overlap, it lands on a named or a free post, it never overfills a post or a person,
a full list ends who is missing, and a confirmed import can be taken back."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from centers.models import Role
from staffing import imports, services, spreadsheet
from staffing.models import Assignment, ImportJob, ImportStatus, Post, PostKind, StaffMember
from tests.staffing.factories import AssignmentFactory, PostFactory, StaffMemberFactory

HEADER = (
    "KI-Schlüssel;Nachname;Vorname;E-Mail;Stellenart;Stellenanteil;Beginn;Ende;Funktion;"
    "Abordnende Schule;Qualifikation"
)


def csv_bytes(*rows, header=HEADER):
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def run(data, user, *, dry_run=False, end_missing_on=None):
    rows = []
    result = imports.staffing_list_import(
        source=spreadsheet.iter_file(data),
        user=user,
        dry_run=dry_run,
        end_missing_on=end_missing_on,
        on_row=rows.append,
    )
    result.rows = {r.number: r for r in rows}
    return result


def messages_of(result):
    return [msg for r in result.error_rows for _col, msg in r.errors]


@pytest.fixture
def lead(home_center, user_as):
    return user_as(Role.CENTER_LEAD, home_center)


def teacher_post(center, label="Lehrkraft 1", fte="1.00"):
    return PostFactory(
        center=center,
        label=label,
        kind=PostKind.TEACHER,
        fte=Decimal(fte),
        funding_source="state_school",
        valid_from=date(2020, 8, 1),
    )


def holder(post, *, email, last, first="Anna", fte="1.00", start=date(2024, 8, 1), **kw):
    member = StaffMemberFactory(
        center=post.center, email=email, last_name=last, first_name=first, qualification="teaching"
    )
    return AssignmentFactory(post=post, member=member, fte=Decimal(fte), start=start, **kw)


# --- finding 1: a different Beginn is a change, never a second assignment -------------------------


def test_a_row_with_an_earlier_beginn_changes_the_stored_assignment(home_center, lead):
    post = teacher_post(home_center)
    teacher_post(home_center, "Lehrkraft 2")
    stored = holder(post, email="vertretung@ki.example", last="Vogel", role="deputy")
    row = "05315;Vogel;Anna;vertretung@ki.example;Lehrkraft;1;01.08.2023;;stellv. Leitung;;Lehramt"

    preview = run(csv_bytes(row), lead, dry_run=True)
    assert preview.counts["changed"] == 1 and preview.counts["new"] == 0
    assert preview.rows[2].changes == ["Beginn: 01.08.2024 → 01.08.2023"]
    assert preview.rows[2].values["landing"] == "Lehrkraft 1"

    result = run(csv_bytes(row), lead)
    assert result.written, messages_of(result)
    assert Assignment.objects.filter(member__email="vertretung@ki.example").count() == 1
    stored.refresh_from_db()
    assert stored.start == date(2023, 8, 1)
    assert Post.objects.filter(center=home_center).count() == 2  # no new post


# --- finding 2: a post is never filled beyond its share, a person never above 1,00 -----------------


def test_moving_onto_a_full_post_is_an_error_naming_post_day_and_holders(home_center, lead):
    full = teacher_post(home_center, "Lehrkraft 1")
    other = teacher_post(home_center, "Lehrkraft 2")
    holder(full, email="voll@ki.example", last="Schäfer")
    holder(other, email="mover@ki.example", last="Wagner", fte="0.50")
    header = HEADER + ";Stelle"
    row = "05315;Wagner;Anna;mover@ki.example;Lehrkraft;0,5;01.08.2024;;;;Lehramt;Lehrkraft 1"

    result = run(csv_bytes(row, header=header), lead)

    assert not result.written
    (message,) = messages_of(result)
    assert "„Lehrkraft 1“" in message and "01.08.2024" in message
    assert "Schäfer, Anna (1,00)" in message and "1,50 VZÄ" in message
    assert Assignment.objects.get(member__email="mover@ki.example").post == other


def test_raising_a_share_beyond_the_post_is_an_error(home_center, lead):
    post = teacher_post(home_center)
    holder(post, email="a@ki.example", last="Arndt", fte="0.50")
    holder(post, email="b@ki.example", last="Bauer", fte="0.50")
    row = "05315;Bauer;Anna;b@ki.example;Lehrkraft;0,75;01.08.2024;;;;Lehramt"

    result = run(csv_bytes(row), lead, dry_run=True)

    (message,) = messages_of(result)
    assert "Lehrkraft 1" in message and "Arndt, Anna (0,50)" in message


def test_a_person_above_one_fte_across_posts_is_an_error(home_center, lead):
    post = teacher_post(home_center)
    holder(post, email="doppelt@ki.example", last="Doppel", fte="0.75")
    row = "05315;Doppel;Anna;doppelt@ki.example;Fachkraft;0,5;01.01.2025;;;;Lehramt"

    result = run(csv_bytes(row), lead, dry_run=True)

    (message,) = messages_of(result)
    assert "Doppel, Anna" in message and "01.01.2025" in message and "1,25 VZÄ" in message


def test_the_admin_import_reports_an_overfilled_post(home_center, lead, user_as):
    import tablib

    from staffing.resources import StaffingListResource

    post = teacher_post(home_center)
    holder(post, email="a@ki.example", last="Arndt", fte="0.50")
    holder(post, email="b@ki.example", last="Bauer", fte="0.50")
    dataset = tablib.Dataset(headers=HEADER.split(";"))
    dataset.append(
        ["05315", "Bauer", "Anna", "b@ki.example", "Lehrkraft", "1", "01.08.2024"]
        + ["", "", "", "Lehramt"]
    )
    ministry = user_as(Role.MINISTRY, None)

    outcome = StaffingListResource().import_data(dataset, dry_run=True, user=ministry)

    assert outcome.has_validation_errors()


# --- finding 7 and placement -------------------------------------------------------------------------


def test_a_new_post_follows_the_numbering_and_has_the_rows_share(home_center, lead):
    holder(teacher_post(home_center, "Lehrkraft 1"), email="x@ki.example", last="Xaver")
    holder(teacher_post(home_center, "Lehrkraft 2"), email="y@ki.example", last="Yilmaz")
    row = "05315;Neu;Nora;neu@ki.example;Lehrkraft;0,5;01.08.2025;;;;Lehramt"

    preview = run(csv_bytes(row), lead, dry_run=True)
    assert preview.rows[2].values["landing"] == "Lehrkraft 3"
    assert preview.rows[2].values["new_post"]
    assert any("Soll" in w for w in preview.rows[2].warnings)  # 2,50 VZÄ against Soll 2,00

    assert run(csv_bytes(row), lead).written
    post = Post.objects.get(center=home_center, label="Lehrkraft 3")
    assert post.fte == Decimal("0.50")


def test_a_row_goes_onto_a_post_with_room_and_warns_of_an_unequal_split(home_center, lead):
    post = teacher_post(home_center)
    holder(post, email="a@ki.example", last="Arndt", fte="0.40")
    row = "05315;Berg;Bea;berg@ki.example;Lehrkraft;0,6;01.08.2025;;;;Lehramt"

    result = run(csv_bytes(row), lead)

    assert result.written
    assert Assignment.objects.get(member__email="berg@ki.example").post == post
    assert any("Nr. 3.2" in w for w in result.rows[2].warnings)


# --- full list -----------------------------------------------------------------------------------------


def test_people_missing_from_a_full_list_are_listed_and_ended_on_the_chosen_day(home_center, lead):
    post = teacher_post(home_center)
    teacher_post(home_center, "Lehrkraft 2")
    holder(post, email="bleibt@ki.example", last="Bleib", fte="0.50")
    gone = holder(post, email="geht@ki.example", last="Geh", fte="0.50")
    row = "05315;Bleib;Anna;bleibt@ki.example;Lehrkraft;0,5;01.08.2024;;;;Lehramt"

    preview = run(csv_bytes(row), lead, dry_run=True)
    assert [m["name"] for m in preview.missing] == ["Geh, Anna"]
    gone.refresh_from_db()
    assert gone.end is None

    day = date(2025, 12, 31)
    assert run(csv_bytes(row), lead, end_missing_on=day).written
    gone.refresh_from_db()
    assert gone.end == day


# --- undo ------------------------------------------------------------------------------------------


@pytest.fixture
def browser_import(client, django_capture_on_commit_callbacks):
    """Upload, check and confirm a list as the browser does (tasks run on commit)."""

    def go(user, data, **form):
        from django.core.files.uploadedfile import SimpleUploadedFile

        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("staffing:import"),
                {"file": SimpleUploadedFile("liste.csv", data, content_type="text/csv"), **form},
            )
        assert response.status_code == 302
        job = ImportJob.objects.get(user=user)
        assert job.status == ImportStatus.CHECKED, job.result
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("staffing:import_confirm", args=[job.pk]))
        job.refresh_from_db()
        return job

    return go


def test_a_confirmed_import_is_undone_all_or_nothing(client, browser_import, home_center, lead):
    post = teacher_post(home_center)
    stored = holder(post, email="a@ki.example", last="Arndt", fte="0.50")
    before = (StaffMember.objects.count(), Post.objects.count(), Assignment.objects.count())
    data = csv_bytes(
        "05315;Arndt;Anna;a@ki.example;Lehrkraft;1;01.08.2024;;;;Lehramt",
        "05315;Neu;Nora;neu@ki.example;Fachkraft;1;01.08.2025;;;;Master",
    )
    job = browser_import(lead, data)
    assert job.status == ImportStatus.DONE and job.written_at is not None
    stored.refresh_from_db()
    assert stored.fte == Decimal("1.00")

    page = client.get(job.get_absolute_url())
    assert "Import rückgängig machen" in page.content.decode()
    response = client.post(reverse("staffing:import_undo", args=[job.pk]), follow=True)

    assert "Der Import wurde rückgängig gemacht." in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.UNDONE
    assert (StaffMember.objects.count(), Post.objects.count(), Assignment.objects.count()) == before
    stored.refresh_from_db()
    assert stored.fte == Decimal("0.50")
    # The history keeps the import and its undo, both with their user.
    types = list(stored.history.order_by("history_date").values_list("history_type", flat=True))
    assert types == ["+", "~", "~"]
    deleted = StaffMember.history.filter(email="neu@ki.example", history_type="-").get()
    assert deleted.history_user == lead


def test_undo_is_refused_once_something_the_import_wrote_was_changed(
    client, browser_import, home_center, lead
):
    data = csv_bytes("05315;Neu;Nora;neu@ki.example;Fachkraft;1;01.08.2025;;;;Master")
    job = browser_import(lead, data)
    assignment = Assignment.objects.get(member__email="neu@ki.example")
    services.assignment_end(
        assignment=assignment,
        user=lead,
        end=timezone.localdate() + timedelta(days=400),
        expected_version=assignment.version,
    )

    response = client.post(reverse("staffing:import_undo", args=[job.pk]), follow=True)

    assert "seitdem geändert" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Assignment.objects.filter(member__email="neu@ki.example").exists()


def test_only_the_uploader_may_undo(client, browser_import, home_center, lead, user_as):
    data = csv_bytes("05315;Neu;Nora;neu@ki.example;Fachkraft;1;01.08.2025;;;;Master")
    job = browser_import(lead, data)
    client.force_login(user_as(Role.CENTER_LEAD, home_center))
    assert client.post(reverse("staffing:import_undo", args=[job.pk])).status_code == 404
    assert Assignment.objects.filter(member__email="neu@ki.example").exists()
