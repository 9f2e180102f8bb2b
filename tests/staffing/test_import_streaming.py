"""The import streams: rows are checked and written a chunk at a time, yet the rules
that span the whole file hold across chunks, and a confirmed import stays all or
nothing. ``CHUNK`` is made tiny here so that three rows already span chunks."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from centers.models import Role
from staffing import importing, imports, spreadsheet
from staffing.models import (
    Assignment,
    AssignmentRole,
    ImportJob,
    ImportRow,
    ImportStatus,
    StaffMember,
)
from tests.querycount import assert_constant_queries

from .test_import import csv_bytes, errors_of, run


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(spreadsheet, "CHUNK", 2)


@pytest.fixture
def lead(home_center, user_as):
    return user_as(Role.CENTER_LEAD, home_center)


def row(
    email,
    *,
    last="Muster",
    first="Mara",
    kind="Fachkraft",
    start="01.08.2025",
    role="",
    end="",
    qualification="Master",
    center="05315",
    fte="1",
):
    school = "Gymnasium Mitte" if kind == "Lehrkraft" else ""
    if kind == "Lehrkraft" and qualification == "Master":
        qualification = "Lehramt"
    return f"{center};{last};{first};{email};{kind};{fte};{start};{end};{role};{school};{qualification}"


def test_one_person_over_several_chunks_is_one_person_with_all_assignments(lead):
    rows = [
        row("a@x.example", start="01.08.2024", end="31.07.2025"),
        row("b@x.example", last="Beta"),
        row("c@x.example", last="Gamma"),
        row("d@x.example", last="Delta"),
        row("a@x.example", start="01.08.2025"),  # fifth row: third chunk
    ]
    result = run(csv_bytes(rows), lead)
    assert result.written, errors_of(result)
    assert result.counts == {"new": 5, "changed": 0, "unchanged": 0, "error": 0}
    person = StaffMember.objects.get(email="a@x.example")
    assert person.assignments.count() == 2
    assert person.history.count() == 1
    again = run(csv_bytes(rows), lead)
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 5, "error": 0}


def test_a_duplicate_row_in_a_later_chunk_names_the_first_row_and_nothing_is_written(lead):
    rows = [
        row("a@x.example"),
        row("b@x.example", last="Beta"),
        row("c@x.example", last="C"),
        row("a@x.example"),
    ]
    result = run(csv_bytes(rows), lead)
    assert [(n, col) for n, col, _m in errors_of(result)] == [(5, "Beginn")]
    assert "schon in Zeile 2" in errors_of(result)[0][2]
    assert not result.written
    assert not StaffMember.objects.exists() and not Assignment.objects.exists()
    assert not StaffMember.history.exists()


def test_the_same_person_with_other_names_in_a_later_chunk_is_an_error(lead):
    rows = [
        row("a@x.example"),
        row("b@x.example", last="Beta"),
        row("a@x.example", last="Anders", start="01.08.2026"),
    ]
    result = run(csv_bytes(rows), lead, dry_run=True)
    assert errors_of(result) == [(4, "Nachname", "Weicht von Zeile 2 für dieselbe Person ab.")]


def test_an_error_in_the_last_chunk_rolls_back_the_chunks_already_written(lead):
    rows = [row(f"p{n}@x.example", last=f"P{n}") for n in range(6)] + [
        row("kaputt@x.example", fte="1,5")
    ]
    result = run(csv_bytes(rows), lead)
    assert result.counts["error"] == 1 and result.counts["new"] == 6
    assert not result.written
    assert not StaffMember.objects.exists()
    assert not Assignment.objects.exists()
    assert not Assignment.history.exists()


def test_two_leaders_in_different_chunks_are_found_and_nothing_is_written(lead):
    rows = [
        row("lead1@x.example", role="Leitung"),
        row("b@x.example", last="Beta"),
        row("c@x.example", last="Gamma"),
        row("lead2@x.example", last="Zwei", role="Leitung", start="01.09.2025"),
    ]
    result = run(csv_bytes(rows), lead)
    assert {(n, col) for n, col, _m in errors_of(result)} == {(2, "Funktion"), (5, "Funktion")}
    assert not Assignment.objects.exists()


def test_handing_over_the_leitung_in_one_file_is_checked_as_the_file_leaves_it(lead):
    old = row("alt@x.example", last="Alt", role="Leitung")
    assert run(csv_bytes([old]), lead).written
    handover = [
        row("alt@x.example", last="Alt", role=""),  # gives up the Leitung …
        row("b@x.example", last="Beta"),
        row("c@x.example", last="Gamma"),
        row("neu@x.example", last="Neu", role="Leitung", start="01.09.2025"),  # … taken here
    ]
    checked = run(csv_bytes(handover), lead, dry_run=True)
    assert not checked.has_errors, errors_of(checked)
    assert checked.counts == {"new": 3, "changed": 1, "unchanged": 0, "error": 0}
    done = run(csv_bytes(handover), lead)
    assert done.counts == checked.counts and done.written
    leaders = Assignment.objects.filter(role=AssignmentRole.LEAD)
    assert [a.member.email for a in leaders] == ["neu@x.example"]


def test_a_changed_name_is_written_once_and_every_row_of_the_person_shows_it(lead):
    rows = [
        row("a@x.example", start="01.08.2024", end="31.07.2025"),
        row("b@x.example", last="Beta"),
        row("c@x.example", last="Gamma"),
        row("a@x.example", start="01.08.2025"),
    ]
    run(csv_bytes(rows), lead)
    renamed = [r.replace(";Muster;", ";Muster-Neu;") for r in rows]
    checked = run(csv_bytes(renamed), lead, dry_run=True)
    done = run(csv_bytes(renamed), lead)
    assert checked.counts == done.counts == {"new": 0, "changed": 2, "unchanged": 2, "error": 0}
    assert [r.changes for r in done.rows if r.status == "changed"] == [
        ["Nachname: Muster → Muster-Neu"]
    ] * 2
    person = StaffMember.objects.get(email="a@x.example")
    assert person.last_name == "Muster-Neu"
    assert person.history.count() == 2  # created, renamed once


def test_progress_is_reported_per_chunk_up_to_the_last_row(lead):
    rows = [row(f"p{n}@x.example", last=f"P{n}") for n in range(5)]
    seen = []
    imports.staffing_list_import(
        source=spreadsheet.iter_file(csv_bytes(rows)),
        user=lead,
        dry_run=True,
        progress=seen.append,
    )
    assert seen == [2, 4, 5]


# --- the browser job: preview rows are stored, progress comes from the cache ----------------


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def _upload(client, data, capture):
    with capture(execute=True):
        client.post(reverse("staffing:import"), {"file": SimpleUploadedFile("liste.csv", data)})
    return ImportJob.objects.latest("created_at")


def test_the_preview_is_stored_per_row_and_paged_in_the_database(
    lead_client, django_capture_on_commit_callbacks, settings
):
    rows = [row(f"p{n}@x.example", last=f"P{n:03}") for n in range(205)] + [
        row("x@x.example", center="99999")
    ]
    job = _upload(lead_client, csv_bytes(rows), django_capture_on_commit_callbacks)
    assert job.rows.count() == 206
    assert "rows" not in job.result  # not one big JSON document
    second = lead_client.get(job.get_absolute_url() + "?seite=2")
    assert [r.number for r in second.context["page"]] == list(range(202, 208))
    errors = lead_client.get(job.get_absolute_url() + "?zeigen=fehler")
    assert [r.number for r in errors.context["page"]] == [207]
    assert "Unbekannter KI-Schlüssel" in errors.content.decode()


def test_the_preview_page_keeps_its_queries_as_the_file_grows(
    lead_client, django_capture_on_commit_callbacks
):
    job = _upload(lead_client, csv_bytes([row("a@x.example")]), django_capture_on_commit_callbacks)

    def grow(k):
        ImportRow.objects.bulk_create(
            ImportRow(job=job, number=job.rows.count() + 2 + n, status="new", label=f"Zeile {n}")
            for n in range(k * 30)
        )

    assert_constant_queries(lead_client, job.get_absolute_url(), grow)


def test_a_running_import_shows_the_progress_from_the_cache(lead_client, lead):
    job = ImportJob.objects.create(
        user=lead, filename="liste.csv", content=b"x", status=ImportStatus.IMPORTING, total=900
    )
    cache.set(imports._progress_key(job.pk), 450)
    try:
        page = lead_client.get(job.get_absolute_url())
    finally:
        cache.delete(imports._progress_key(job.pk))
    assert page.context["processed"] == 450
    assert "wird importiert … 450 von etwa 900 Zeilen" in page.content.decode()


def test_a_confirmation_that_finds_new_errors_shows_them_instead_of_the_preview(
    lead_client, django_capture_on_commit_callbacks, other_center
):
    rows = [row("a@x.example"), row("b@x.example", last="Beta"), row("c@x.example", last="C")]
    job = _upload(lead_client, csv_bytes(rows), django_capture_on_commit_callbacks)
    assert job.rows.count() == 3
    # Meanwhile another centre enters the same person.
    theirs = StaffMember.objects.create(
        center=other_center, email="b@x.example", last_name="Beta", first_name="Mara"
    )
    with django_capture_on_commit_callbacks(execute=True):
        lead_client.post(reverse("staffing:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED and job.result["has_errors"]
    assert [(r.number, r.status) for r in job.rows.all()] == [(3, "error")]
    assert not Assignment.objects.exists()
    assert StaffMember.objects.get() == theirs


def test_uploads_and_their_preview_are_deleted_after_the_retention_days(
    lead_client, django_capture_on_commit_callbacks, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from staffing import tasks

    settings.IMPORT_JOB_RETENTION_DAYS = 7
    upload_page = lead_client.get(reverse("staffing:import")).content.decode()
    assert "Vorschau werden nach 7 Tagen gelöscht" in upload_page
    old = _upload(lead_client, csv_bytes([row("a@x.example")]), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        lead_client.post(reverse("staffing:import_confirm", args=[old.pk]))
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    recent = _upload(
        lead_client, csv_bytes([row("b@x.example")]), django_capture_on_commit_callbacks
    )

    assert tasks.delete_old_import_jobs() == 1
    assert list(ImportJob.objects.all()) == [recent]
    assert not ImportRow.objects.filter(job_id=old.pk).exists()
    assert ImportRow.objects.filter(job=recent).count() == 1
    # What the old upload imported stays.
    assert StaffMember.objects.filter(email="a@x.example").exists()


# --- posts: new assignments are placed once every change of the file is written ------------


def _overbooked_posts():
    """Posts whose (open-ended) shares add up to more than the post."""
    from staffing.models import Post

    return [
        (post.pk, post.fte, sum(a.fte for a in post.assignments.all()))
        for post in Post.objects.prefetch_related("assignments")
        if sum(a.fte for a in post.assignments.all()) > post.fte
    ]


def test_a_raised_share_beyond_its_post_is_an_error_and_nothing_is_written(lead):
    # The first import creates a 0,50 post for the Leitung's 0,5 row.
    run(csv_bytes([row("leitung@x.example", role="Leitung", fte="0,5")]), lead)
    result = run(
        csv_bytes(
            [
                row("neu@x.example", last="Neu", fte="0,5"),  # chunk 1
                row("leitung@x.example", role="Leitung", fte="1"),  # chunk 1: raised
                row("lehrer@x.example", last="Lehrer", kind="Lehrkraft"),  # chunk 2
            ]
        ),
        lead,
    )
    assert not result.written
    assert [(n, col) for n, col, _msg in errors_of(result)] == [(3, "Stellenanteil")]
    assert "„Fachkraft 1“ (0,50 VZÄ)" in errors_of(result)[0][2]
    assert _overbooked_posts() == []


def test_a_share_lowered_in_a_later_chunk_makes_room_for_a_new_row_before_it(lead):
    run(csv_bytes([row("x@x.example", fte="1")]), lead)  # a 1,00 post, full
    result = run(
        csv_bytes(
            [
                row("neu@x.example", last="Neu", fte="0,5"),  # chunk 1: new
                row("lehrer@x.example", last="Lehrer", kind="Lehrkraft"),
                row("x@x.example", fte="0,5"),  # chunk 2: X's share goes down to 0,5
            ]
        ),
        lead,
    )
    assert result.written, errors_of(result)
    assert result.counts == {"new": 2, "changed": 1, "unchanged": 0, "error": 0}
    from staffing.models import Post, PostKind

    # The new row shares X's post: no phantom post.
    assert Post.objects.filter(kind=PostKind.SPECIALIST).count() == 1
    assert _overbooked_posts() == []


def test_a_post_that_fills_up_brings_an_older_post_with_room_back_into_view(
    lead, home_center, monkeypatch
):
    from staffing.models import Post, PostKind

    monkeypatch.setattr(importing, "ALLOCATION_WINDOW", 2)
    for n in range(3):
        Post.objects.create(
            center=home_center,
            label=f"Fachkraft {n + 1}",
            kind=PostKind.SPECIALIST,
            fte=1,
            valid_from="2020-01-01",
        )
    rows = [row(f"p{n}@x.example", last=f"P{n}") for n in range(3)]
    assert run(csv_bytes(rows), lead).written
    assert Post.objects.count() == 3  # every stored post was used, none added
    assert _overbooked_posts() == []


# --- bad input that only shows late, and a conflict while writing ---------------------------


def test_a_nul_byte_deep_in_the_file_is_reported_not_a_crash(lead):
    rows = [row(f"p{n}@x.example", last=f"P{n}") for n in range(80)]
    data = csv_bytes(rows)
    assert len(data) > 5000
    data = data[:5000] + b"\x00" + data[5000:]
    result = run(data, lead)
    assert result.file_errors == ["Die Datei ist keine CSV- oder XLSX-Datei (Binärdaten)."]
    assert not result.written and not StaffMember.objects.exists()


def test_a_person_stored_elsewhere_while_the_import_runs_rolls_it_back_with_a_message(
    lead, other_center
):
    def someone_else_stores(decided_row):
        # Between the check of a chunk and its writing, another centre stores the person.
        if decided_row.number == 3:
            StaffMember.objects.create(
                center=other_center, email="b@x.example", last_name="Beta", first_name="Mara"
            )

    rows = [row("a@x.example"), row("b@x.example", last="Beta"), row("c@x.example", last="C")]
    result = imports.staffing_list_import(
        source=spreadsheet.iter_file(csv_bytes(rows)),
        user=lead,
        dry_run=False,
        on_row=someone_else_stores,
    )
    assert not result.written
    assert "an anderer Stelle gespeichert" in result.file_errors[0]
    assert list(StaffMember.objects.values_list("email", flat=True)) == []
    assert not Assignment.objects.exists()
