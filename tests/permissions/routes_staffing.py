"""Permission entries for the staffing URLs (see registry.py)."""

from datetime import date

from centers.models import Role
from staffing.models import ImportJob, QualificationException
from tests.factories import UserFactory
from tests.staffing.factories import AssignmentFactory, PostFactory, StaffMemberFactory

from .registry import ALL_ROLES, Route, ok

LEAD, STAFF, SPONSOR = Role.CENTER_LEAD, Role.CENTER_STAFF, Role.SPONSOR
SA, LASI, FUNDING, MINISTRY = Role.SCHOOL_AUTHORITY, Role.LASI, Role.FUNDING, Role.MINISTRY
# view_staffing: the centre's roles, LaSI and the ministry; the Schulaufsicht sees teacher posts only.
READERS = (LEAD, STAFF, SPONSOR, LASI, MINISTRY)
MANAGERS = (LEAD, MINISTRY)


def _key(center, **_):
    return {"key": center.key}


def _post(center, **_):
    return {"key": center.key, "pk": PostFactory(center=center).pk}


def _member(center, **_):
    return {"key": center.key, "pk": StaffMemberFactory(center=center).pk}


def _assignment(center, **_):
    post = PostFactory(center=center)
    return {"key": center.key, "pk": AssignmentFactory(post=post).pk}


def _exception(center, **_):
    exc = QualificationException.objects.create(
        member=StaffMemberFactory(center=center),
        kind="specialist",
        reason="Berufserfahrung",
        proposed_by=UserFactory(),
        proposed_on=date(2025, 1, 1),
    )
    return {"key": center.key, "pk": exc.pk}


def _job(center, **_):
    # Owned by someone else: only the uploader sees a job, everyone else gets 404.
    job = ImportJob.objects.create(user=UserFactory(), filename="liste.csv", content=b"x")
    return {"pk": job.pk}


ROUTES = [
    Route(
        "staffing:home",
        allowed=ok(*[r for r in ALL_ROLES if r != FUNDING], status=302),
        denied=403,
        scoped=False,
    ),
    Route("staffing:center", kwargs=_key, allowed=ok(*READERS)),
    Route("staffing:vacancies", kwargs=_key, allowed=ok(*READERS)),
    Route("staffing:export", kwargs=_key, allowed=ok(LEAD, LASI, MINISTRY)),
    Route("staffing:post", kwargs=_post, allowed=ok(*READERS)),
    Route("staffing:post_create", kwargs=_key, allowed=ok(*MANAGERS)),
    Route("staffing:member", kwargs=_member, allowed=ok(*READERS)),
    Route("staffing:member_create", kwargs=_key, allowed=ok(*MANAGERS)),
    Route("staffing:member_edit", kwargs=_member, allowed=ok(*MANAGERS)),
    # §3.4: only the centre's own KI-Leitung — not the ministry, although it is superuser.
    Route("staffing:member_sensitive", kwargs=_member, allowed=ok(LEAD)),
    # Art. 15 DSGVO: the centre's KI-Leitung and the ministry (without the Nr. 3.4 value).
    Route("staffing:member_information", kwargs=_member, allowed=ok(LEAD, MINISTRY)),
    Route("staffing:member_information_json", kwargs=_member, allowed=ok(LEAD, MINISTRY)),
    Route("staffing:exception_propose", kwargs=_member, allowed=ok(*MANAGERS)),
    Route("staffing:exception_decide", kwargs=_exception, allowed=ok(SPONSOR, MINISTRY)),
    Route("staffing:exception_approve", kwargs=_exception, allowed=ok(SPONSOR, MINISTRY)),
    Route("staffing:exception_reject", kwargs=_exception, allowed=ok(SPONSOR, MINISTRY)),
    Route("staffing:assignment_create", kwargs=_key, allowed=ok(*MANAGERS)),
    Route("staffing:assignment_edit", kwargs=_assignment, allowed=ok(*MANAGERS)),
    Route("staffing:assignment_end", kwargs=_assignment, allowed=ok(*MANAGERS)),
    # Correcting the list: the GET pages (forms, delete confirmation) for those who manage it.
    Route("staffing:post_edit", kwargs=_post, allowed=ok(*MANAGERS)),
    Route("staffing:post_end", kwargs=_post, allowed=ok(*MANAGERS)),
    Route("staffing:post_delete", kwargs=_post, allowed=ok(*MANAGERS)),
    Route("staffing:assignment_delete", kwargs=_assignment, allowed=ok(*MANAGERS)),
    # Deleting is a POST: allowed roles delete (302 to the list), everyone else gets 404.
    Route(
        "staffing:post_delete",
        kwargs=_post,
        method="post",
        data=lambda kw: {"version": 0},
        allowed=ok(*MANAGERS, status=302),
    ),
    Route(
        "staffing:assignment_delete",
        kwargs=_assignment,
        method="post",
        data=lambda kw: {"version": 0},
        allowed=ok(*MANAGERS, status=302),
    ),
    Route("staffing:import", allowed=ok(LEAD, MINISTRY), denied=403, scoped=False),
    Route("staffing:import_template", allowed=ok(LEAD, MINISTRY), denied=403, scoped=False),
    Route("staffing:import_job", kwargs=_job),
    Route("staffing:import_confirm", kwargs=_job, method="post"),
    Route("staffing:import_undo", kwargs=_job, method="post"),
    Route("staffing:import_retry", kwargs=_job, method="post"),
    Route("staffing:state", allowed=ok(LASI, MINISTRY), denied=403, scoped=False),
    Route("staffing:state_export", allowed=ok(LASI, MINISTRY), denied=403, scoped=False),
    Route(
        "staffing:teacher_posts",
        allowed=ok(*[r for r in ALL_ROLES if r != FUNDING]),
        denied=403,
        scoped=False,
    ),
]
