"""Who can reach what: every route by every role persona (and someone not signed in).

The table is written out by hand on purpose: it is the second, independent statement of the
access rules that `panelflow/roles/policy.py` implements. A route that is not in the table
fails ``test_every_route_is_in_the_table``, so a new page cannot ship without deciding who may
see it. Every response is also checked for the name of a pupil at another school.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.accounts.operations import actor_for
from panelflow.actions.operations import create_action, work_on
from panelflow.attendance.models import AttendanceImportJob
from panelflow.cases.models import Case, Consent
from panelflow.cases.operations import fire, open_case
from panelflow.db import utcnow
from panelflow.demo import PERSONA_PASSWORD, PERSONAS, SCHOOLS, SEEDER, seed
from panelflow.demo_support import demo_plan
from panelflow.organisations.models import Pupil, School
from panelflow.panels.meeting import hold
from panelflow.panels.models import Meeting, Panel, PanelSchool
from panelflow.panels.operations import next_meeting, panel_for_school
from panelflow.panels.schedule import Pattern, create_series
from panelflow.roles import Actor
from panelflow.roles.policy import MATRIX, Permission
from panelflow.signoffs.models import SignOffRequest
from panelflow.virtual_school.models import PupilStatus
from tests.factories import Auth, make_local_authority, make_pupil, make_school

ROLES = tuple(MATRIX)
EVERYONE = frozenset(ROLES)
ANONYMOUS = "anonymous"
OTHER_SCHOOLS_PUPIL = ("Zebedee", "Quixote")  # at Bidston Avenue Primary: only its chair sees
OTHER_LA_PUPIL = ("Xanthe", "Yarrow")  # in another local authority: nobody here sees

PRACTITIONERS = frozenset(r for r, p in MATRIX.items() if Permission.VIEW_PUPILS in p)
NOMINATORS = frozenset(r for r, p in MATRIX.items() if Permission.NOMINATE in p)
WORKERS = frozenset(r for r, p in MATRIX.items() if Permission.WORK_ON_CASES in p)

# Need-to-know, written out by persona (demo keys) for each resource the fixture makes.
# Everyone else allowed the route's permission gets 404 for that resource.
FIRST_SCHOOL_STAFF = frozenset({"chair", "lead", "teacher"})
# CAMHS has an open action; the pupil is looked after; the EWOs' attendance service is
# involved while the pupil's support-first case is open.
EWOS = frozenset({"ewo", "ewo2"})
SEES_OWN_PUPIL = FIRST_SCHOOL_STAFF | {"camhs", "vsh"} | EWOS
SEES_FIRST_PANEL = FIRST_SCHOOL_STAFF | {"ewo", "camhs", "ep"}  # its school, and its members
SHARERS = frozenset(r for r, p in MATRIX.items() if Permission.RECORD_SHARING in p)
VSH = frozenset({"virtual_school_head"})
RUNNERS = frozenset(r for r, p in MATRIX.items() if Permission.RUN_PANELS in p)
RUNS_FIRST = frozenset({"chair", "lead"})  # the first school's chair and attendance lead
IMPORTERS = frozenset(r for r, p in MATRIX.items() if Permission.IMPORT_ATTENDANCE in p)
IMPACT = frozenset(r for r, p in MATRIX.items() if Permission.VIEW_IMPACT in p)


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    path: str  # may name a resource from the fixture: {own_pupil}, {other_la_case} ...
    allowed: frozenset[str]  # roles that get ``ok`` (or 404 outside ``sees``); others get 403
    ok: int = 200
    public: bool = False  # reachable without signing in (then ``ok`` for anonymous too)
    sees: frozenset[str] | None = None  # personas for whom the resource is within need-to-know
    # Personas who see the resource but may not do this to it (403): a teacher who sees a
    # pupil but does not run the case, or records no virtual school flags.
    refused: frozenset[str] = frozenset()


ROUTES = [
    Route("catalogue.home", "GET", "/", EVERYONE),
    Route("catalogue.index", "GET", "/workflows", EVERYONE),
    Route("catalogue.versions", "GET", "/workflows/versions", EVERYONE),
    Route("catalogue.version_detail", "GET", "/workflows/versions/1", EVERYONE),
    Route("catalogue.workflow", "GET", "/workflows/school_panel", EVERYONE),
    Route("catalogue.workflow_in_version", "GET", "/workflows/versions/1/support_first", EVERYONE),
    Route(
        "catalogue.diagram", "GET", "/workflows/versions/1/ewo_consultation/diagram.svg", EVERYONE
    ),
    Route("accounts.account", "GET", "/account", EVERYONE),
    Route("admin.users", "GET", "/admin/users", frozenset({"la_admin"})),
    Route("admin.new_user", "GET", "/admin/users/new", frozenset({"la_admin"})),
    Route("admin.user", "GET", "/admin/users/1", frozenset({"la_admin"})),
    Route("admin.teams", "GET", "/admin/teams", frozenset({"la_admin"})),
    Route("audit.search_page", "GET", "/audit", frozenset({"auditor"})),
    Route("audit.record_page", "GET", "/audit/1", frozenset({"auditor"})),
    Route("audit.export_csv", "GET", "/audit/export.csv", frozenset({"auditor"})),
    Route("cases.pupils", "GET", "/pupils", PRACTITIONERS),
    Route("cases.pupil", "GET", "/pupils/{own_pupil}", PRACTITIONERS, sees=SEES_OWN_PUPIL),
    Route("cases.pupil", "GET", "/pupils/{ended_pupil}", PRACTITIONERS, sees=FIRST_SCHOOL_STAFF),
    Route(
        "cases.pupil",
        "GET",
        "/pupils/{other_school_pupil}",
        PRACTITIONERS,
        sees=frozenset({"bidston"}),
    ),
    Route("cases.pupil", "GET", "/pupils/{other_la_pupil}", PRACTITIONERS, sees=frozenset()),
    Route("cases.pupil", "GET", "/pupils/999999", PRACTITIONERS, sees=frozenset()),
    Route("cases.case", "GET", "/cases/{own_case}", PRACTITIONERS, sees=SEES_OWN_PUPIL),
    Route("cases.case", "GET", "/cases/{ended_case}", PRACTITIONERS, sees=FIRST_SCHOOL_STAFF),
    Route("cases.case", "GET", "/cases/{other_la_case}", PRACTITIONERS, sees=frozenset()),
    Route(
        "cases.step",
        "GET",
        "/cases/{own_case}/steps/discuss_at_panel",
        WORKERS,
        sees=SEES_OWN_PUPIL,
    ),
    Route(
        "cases.step",
        "GET",
        "/cases/{other_la_case}/steps/discuss_at_panel",
        WORKERS,
        sees=frozenset(),
    ),
    Route("cases.step", "GET", "/cases/{own_case}/steps/no_such_step", WORKERS, sees=frozenset()),
    Route("actions.inbox", "GET", "/actions", WORKERS),
    Route("actions.action", "GET", "/actions/{camhs_action}", WORKERS, sees=frozenset({"camhs"})),
    Route("actions.action", "GET", "/actions/{ended_action}", WORKERS, sees=frozenset()),
    Route("actions.action", "GET", "/actions/{other_la_action}", WORKERS, sees=frozenset()),
    Route("panels.nominate_find", "GET", "/nominate", NOMINATORS),
    Route("panels.nominate_new", "GET", "/nominate/new", NOMINATORS),
    Route(
        "panels.nominate_pupil",
        "GET",
        "/nominate/pupils/{own_pupil}",
        NOMINATORS,
        sees=FIRST_SCHOOL_STAFF,
    ),
    Route(
        "panels.nominate_pupil",
        "GET",
        "/nominate/pupils/{other_la_pupil}",
        NOMINATORS,
        sees=frozenset(),
    ),
    Route("panels.panels", "GET", "/panels", PRACTITIONERS),
    Route("panels.panel", "GET", "/panels/{first_panel}", PRACTITIONERS, sees=SEES_FIRST_PANEL),
    Route(
        "panels.meeting", "GET", "/meetings/{first_meeting}", PRACTITIONERS, sees=SEES_FIRST_PANEL
    ),
    Route("panels.meeting", "GET", "/meetings/{other_la_meeting}", PRACTITIONERS, sees=frozenset()),
    Route("meetings.run", "GET", "/meetings/{first_meeting}/run", RUNNERS, 302, sees=RUNS_FIRST),
    Route("meetings.run", "GET", "/meetings/{other_la_meeting}/run", RUNNERS, sees=frozenset()),
    Route(
        "meetings.attendance",
        "GET",
        "/meetings/{first_meeting}/attendance",
        RUNNERS,
        sees=RUNS_FIRST,
    ),
    Route("meetings.add", "GET", "/meetings/{first_meeting}/add", RUNNERS, sees=RUNS_FIRST),
    Route("meetings.add", "GET", "/meetings/{other_la_meeting}/add", RUNNERS, sees=frozenset()),
    Route("meetings.close", "GET", "/meetings/{first_meeting}/close", RUNNERS, sees=RUNS_FIRST),
    Route(
        "meetings.item",
        "GET",
        "/meetings/{first_meeting}/items/{own_item}",
        RUNNERS,
        sees=RUNS_FIRST,
    ),
    Route(
        "meetings.outcome",
        "GET",
        "/meetings/{first_meeting}/items/{own_item}/outcome/discuss_at_panel",
        RUNNERS,
        sees=RUNS_FIRST,
    ),
    Route(
        "meetings.outcome",
        "GET",
        "/meetings/{first_meeting}/items/{own_item}/outcome/no_such_step",
        RUNNERS,
        sees=frozenset(),
    ),
    Route(
        "meetings.minutes",
        "GET",
        "/meetings/{first_meeting}/minutes",
        PRACTITIONERS,
        sees=SEES_FIRST_PANEL,
    ),
    Route(
        "meetings.minutes",
        "GET",
        "/meetings/{other_la_meeting}/minutes",
        PRACTITIONERS,
        sees=frozenset(),
    ),
    Route(
        "meetings.minutes_pdf",
        "GET",
        "/meetings/{first_meeting}/minutes.pdf",
        PRACTITIONERS,
        sees=SEES_FIRST_PANEL,
    ),
    Route(
        "meetings.panel_actions", "GET", "/panels/{first_panel}/actions", RUNNERS, sees=RUNS_FIRST
    ),
    Route(
        "calendar.panel_calendar",
        "GET",
        "/panels/{first_panel}/calendar",
        PRACTITIONERS,
        sees=SEES_FIRST_PANEL,
    ),
    Route(
        "calendar.new_series", "GET", "/panels/{first_panel}/series/new", RUNNERS, sees=RUNS_FIRST
    ),
    Route("calendar.edit_series", "GET", "/series/{first_series}", RUNNERS, sees=RUNS_FIRST),
    Route("calendar.move", "GET", "/meetings/{first_meeting}/move", RUNNERS, sees=RUNS_FIRST),
    Route("calendar.move", "GET", "/meetings/{other_la_meeting}/move", RUNNERS, sees=frozenset()),
    Route("calendar.cancel", "GET", "/meetings/{first_meeting}/cancel", RUNNERS, sees=RUNS_FIRST),
    Route(
        "calendar.cancel", "GET", "/meetings/{other_la_meeting}/cancel", RUNNERS, sees=frozenset()
    ),
    Route("funding.ledger_page", "GET", "/panels/{first_panel}/funding", RUNNERS, sees=RUNS_FIRST),
    Route("funding.propose_page", "GET", "/cases/{own_case}/funding/new", RUNNERS, sees=RUNS_FIRST),
    Route(
        "funding.propose_page",
        "GET",
        "/cases/{other_la_case}/funding/new",
        RUNNERS,
        sees=frozenset(),
    ),
    Route("funding.decision", "GET", "/funding/{decision}", RUNNERS, sees=RUNS_FIRST),
    Route("funding.budgets", "GET", "/funding/budgets", frozenset({"la_admin"})),
    Route("funding.budget", "GET", "/funding/budgets/{budget}", frozenset({"la_admin"})),
    Route("funding.manage_programmes", "GET", "/funding/programmes", frozenset({"la_admin"})),
    Route("funding.programmes", "GET", "/programmes", RUNNERS),
    Route("funding.cohort", "GET", "/cohorts/{cohort}", RUNNERS, sees=RUNS_FIRST),
    Route(
        "funding.register",
        "GET",
        "/cohorts/{cohort}/sessions/{cohort_session}",
        RUNNERS,
        sees=RUNS_FIRST,
    ),
    Route(
        "funding.place", "GET", "/cohorts/{cohort}/places/{cohort_place}", RUNNERS, sees=RUNS_FIRST
    ),
    Route("worklist.cases", "GET", "/cases", WORKERS),
    Route("due.due", "GET", "/due", WORKERS),
    Route(
        "case_actions.agree",
        "GET",
        "/cases/{own_case}/actions/new",
        WORKERS,
        sees=SEES_OWN_PUPIL,
        refused=frozenset({"teacher", "camhs", "vsh"}) | EWOS,  # they do not run the panel case
    ),
    Route(
        "case_actions.agree", "GET", "/cases/{other_la_case}/actions/new", WORKERS, sees=frozenset()
    ),
    Route(
        "sharing.record", "GET", "/pupils/{own_pupil}/sharing/new", SHARERS, sees=RUNS_FIRST | EWOS
    ),
    Route(
        "sharing.record", "GET", "/pupils/{other_la_pupil}/sharing/new", SHARERS, sees=frozenset()
    ),
    Route(
        "sharing.withdraw",
        "GET",
        "/pupils/{own_pupil}/sharing/{consent}/withdraw",
        SHARERS,
        sees=RUNS_FIRST | EWOS,
    ),
    Route(
        "sharing.withdraw",
        "GET",
        "/pupils/{own_pupil}/sharing/999999/withdraw",
        SHARERS,
        sees=frozenset(),
    ),
    Route(
        "plans.open_page",
        "GET",
        "/pupils/{own_pupil}/support-first",
        WORKERS,
        sees=SEES_OWN_PUPIL,
        refused=frozenset({"chair", "teacher", "camhs", "vsh"}),  # attendance leads and EWOs
    ),
    Route(
        "plans.open_page",
        "GET",
        "/pupils/{other_la_pupil}/support-first",
        WORKERS,
        sees=frozenset(),
    ),
    Route(
        "plans.document",
        "GET",
        "/cases/{plan_case}/documents/support_plan",
        PRACTITIONERS,
        sees=SEES_OWN_PUPIL,
    ),
    Route(
        "plans.document",
        "GET",
        "/cases/{own_case}/documents/no_such_document",
        PRACTITIONERS,
        sees=frozenset(),
    ),
    Route(
        "plans.document_pdf",
        "GET",
        "/cases/{plan_case}/documents/review_letter.pdf",
        PRACTITIONERS,
        sees=SEES_OWN_PUPIL,
    ),
    Route(
        "plans.document_pdf",
        "GET",
        "/cases/{other_la_case}/documents/support_plan.pdf",
        PRACTITIONERS,
        sees=frozenset(),
    ),
    Route("signoffs.waiting", "GET", "/sign-offs", WORKERS),
    Route("signoffs.request_page", "GET", "/sign-offs/{sign_off}", WORKERS, sees=SEES_OWN_PUPIL),
    Route("signoffs.request_page", "GET", "/sign-offs/999999", WORKERS, sees=frozenset()),
    Route("virtual_school.caseload", "GET", "/virtual-school", VSH),
    Route(
        "virtual_school.new_status",
        "GET",
        "/pupils/{own_pupil}/virtual-school/flags/new",
        WORKERS,
        sees=SEES_OWN_PUPIL,
        refused=frozenset({"teacher", "camhs"}) | EWOS,
    ),
    Route(
        "virtual_school.new_status",
        "GET",
        "/pupils/{other_la_pupil}/virtual-school/flags/new",
        WORKERS,
        sees=frozenset(),
    ),
    Route(
        "virtual_school.end_status",
        "GET",
        "/pupils/{own_pupil}/virtual-school/flags/{flag_period}/end",
        WORKERS,
        sees=SEES_OWN_PUPIL,
        refused=frozenset({"teacher", "camhs"}) | EWOS,
    ),
    Route(
        "virtual_school.new_plan",
        "GET",
        "/pupils/{own_pupil}/virtual-school/plan",
        WORKERS,
        sees=SEES_OWN_PUPIL,
        refused=frozenset({"teacher", "camhs"}) | EWOS,
    ),
    # Impact and barrier themes: counts only, for the person's school or their authority.
    Route("impact.report", "GET", "/impact", IMPACT),
    Route("impact.report_chart", "GET", "/impact/chart.svg", IMPACT),
    Route("impact.report_export", "GET", "/impact/export/types.csv", IMPACT),
    Route("impact.report_export", "GET", "/impact/export/year_groups.xlsx", IMPACT),
    # Only the authority's roles have a table of schools.
    Route(
        "impact.report_export",
        "GET",
        "/impact/export/schools.csv",
        IMPACT,
        sees=frozenset({"admin"}) | EWOS,
    ),
    Route("impact.barriers", "GET", "/impact/barriers", IMPACT),
    Route("impact.barriers_chart", "GET", "/impact/barriers/chart.svg", IMPACT),
    Route("impact.barriers_export", "GET", "/impact/barriers/export/months.xlsx", IMPACT),
    # Suggestions from attendance: only pupils within need-to-know are listed.
    Route("attendance_watch.conversations", "GET", "/attendance/conversations", PRACTITIONERS),
    # Importing attendance: always for the person's own school; another school's upload is
    # not found.
    Route("attendance.upload", "GET", "/attendance/import", IMPORTERS),
    Route(
        "attendance.job_page", "GET", "/attendance/imports/{import_job}", IMPORTERS, sees=RUNS_FIRST
    ),
    Route(
        "attendance.job_progress",
        "GET",
        "/attendance/imports/{import_job}/progress",
        IMPORTERS,
        sees=RUNS_FIRST,
    ),
    Route(
        "attendance.columns",
        "GET",
        "/attendance/imports/{import_job}/columns",
        IMPORTERS,
        302,  # the job's columns are known: back to the job
        sees=RUNS_FIRST,
    ),
    # A subject access export needs sight of the pupil and of every one of their cases.
    Route(
        "subject_access.subject_access",
        "GET",
        "/pupils/{own_pupil}/subject-access",
        frozenset({"panel_chair", "attendance_lead", "virtual_school_head"}),
        sees=RUNS_FIRST | {"vsh"},
    ),
    Route(
        "subject_access.subject_access",
        "GET",
        "/pupils/{other_la_pupil}/subject-access",
        frozenset({"panel_chair", "attendance_lead", "virtual_school_head"}),
        sees=frozenset(),
    ),
    # The feed is reached by its secret address alone: tests/calendar/test_feeds.py.
    Route("calendar.feed", "GET", "/calendar/not-a-token.ics", EVERYONE, 404, public=True),
]
# Routes whose behaviour is about signing in and out, covered by tests/features/accounts
# and tests/sso: listed here so the table stays complete.
# Changes made by POST, each covered with its CSRF token and the same permission by the
# feature named.
POSTED_ROUTES = {
    "admin.grant_role",
    "admin.remove_role",
    "admin.disable",
    "admin.enable",
    "admin.new_password",  # tests/features/admin/users.feature
    "admin.set_user_team",  # tests/features/admin/teams.feature
    "audit.verify_page",  # tests/features/audit/audit_trail.feature
    "actions.take",  # tests/features/panels/inbox.feature
    # tests/features/panels/meeting.feature and tests/panels/test_meeting.py:
    "meetings.start",
    "meetings.move",
    "meetings.defer",
    "meetings.restore",
    "meetings.discussion",
    "meetings.agree",
    "meetings.withdraw",
    "calendar.make_feed",  # tests/calendar/test_feeds.py, tests/features/calendar/
    "calendar.stop_feed",
    "funding.take",  # tests/features/funding/funding.feature
    "signoffs.give",  # tests/features/statutory/statutory_steps.feature
    "signoffs.refuse_page",
    "signoffs.withdraw_page",
    "attendance.start_import",  # tests/features/attendance/upload.feature
}
SIGN_IN_ROUTES = {
    "accounts.sign_in_page",
    "accounts.sign_out",
    "accounts.sign_out_everywhere_page",
    "accounts.sso_start",
    "accounts.sso_callback",
    "favicon",
    "static",
}


def test_every_route_is_in_the_table(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}

    missing = endpoints - {r.endpoint for r in ROUTES} - SIGN_IN_ROUTES - POSTED_ROUTES
    assert not missing, f"routes with no access rules in tests/test_access_matrix.py: {missing}"


@pytest.fixture
def personas(session: Session, workflows_text: str) -> dict[str, str]:
    """The demo data's accounts (one per role)."""
    seed(session, workflows_text, "config/workflows.yaml")
    session.commit()
    return {p["key"]: p["email"] for p in PERSONAS}


@pytest.fixture
def resources(session: Session, personas: dict[str, str]) -> dict[str, int]:
    """Records that are theirs and not theirs, for each persona:

    - own: a looked-after pupil at the first school, with a case holding an open CAMHS action;
    - ended: a pupil at the first school whose youth service action was completed;
    - other school: a pupil at Bidston Avenue Primary with no agency involved;
    - other LA: a looked-after pupil at a school in another local authority, with actions
      open for every agency, and that authority's panel and meeting.
    """
    users = {u.email: u for u in session.scalars(select(User))}
    teacher = actor_for(users[personas["teacher"]])
    youth = actor_for(users[personas["youth"]])
    first, _, bidston = (
        session.scalars(select(School).where(School.name == name)).one() for name in SCHOOLS
    )
    own = make_pupil(session, first, given_name="Olive", family_name="Ownby", looked_after=True)
    own_case = open_case(session, own, "school_panel", teacher)
    fire(own_case, "add_to_agenda", teacher, {"reason": "Late every day."})
    camhs_action = create_action(session, own_case, teacher, title="Assess", agency="camhs")
    ended = make_pupil(session, first, given_name="Eddie", family_name="Endwell")
    ended_case = open_case(session, ended, "school_panel", teacher)
    ended_action = create_action(
        session, ended_case, teacher, title="Mentor", agency="youth_service"
    )
    work_on(session, ended_action.id, youth, "accept")
    work_on(session, ended_action.id, youth, "complete", "Six sessions held.")
    make_pupil(
        session, bidston, given_name=OTHER_SCHOOLS_PUPIL[0], family_name=OTHER_SCHOOLS_PUPIL[1]
    )
    elsewhere = make_local_authority(session, "Sefton Council")
    far_school = make_school(session, "Litherland High", local_authority=elsewhere)
    far = make_pupil(
        session,
        far_school,
        given_name=OTHER_LA_PUPIL[0],
        family_name=OTHER_LA_PUPIL[1],
        looked_after=True,
    )
    far_case = open_case(session, far, "school_panel", SEEDER)
    agencies = [p["agency"] for p in PERSONAS]
    far_actions = [
        create_action(session, far_case, SEEDER, title="Help", agency=a) for a in agencies
    ]
    far_panel = Panel(name="Litherland panel", local_authority_id=elsewhere.id)
    session.add(far_panel)
    session.flush()
    session.add(PanelSchool(panel_id=far_panel.id, school_id=far_school.id))
    far_meeting = Meeting(panel_id=far_panel.id, starts_at=utcnow() + timedelta(days=7))
    session.add(far_meeting)
    session.flush()
    first_panel = panel_for_school(session, first.id)
    assert first_panel is not None
    first_meeting = next_meeting(session, first_panel.id)
    assert first_meeting is not None
    own_item = next(i for i in hold(session, first_meeting) if i.case_id == own_case.id)
    first_series, _ = create_series(
        session,
        actor_for(users[personas["chair"]]),
        first_panel,
        Pattern(2, 1, time(16), 90, "Library", date(2030, 9, 1), date(2030, 10, 31)),
    )
    other_school_pupil = session.scalars(
        select(Pupil.id).where(Pupil.given_name == OTHER_SCHOOLS_PUPIL[0])
    ).one()
    funding = _funding_records(session)  # read before committing: the app writes next
    formal = open_case(session, own, "statutory_referral", teacher, linked_from=own_case)
    plan_case = _planned(session, own_case, actor_for(users[personas["lead"]]))
    sign_off = SignOffRequest(
        case_id=formal.id,
        workflow_version_id=formal.workflow_version_id,
        trigger="issue_penalty_notice",
        fields={"formal_reason": "Still absent", "support_offered": "A plan, reviewed"},
        case_version=formal.lock_version,
        asked_by_id=f"user:{users[personas['ewo']].id}",
        asked_by_user_id=users[personas["ewo"]].id,
        asked_by_name=users[personas["ewo"]].name,
        asked_role="ewo",
    )
    consent = Consent(
        pupil_id=own.id,
        agency="camhs",
        purpose="Assessment of anxiety",
        given_by="Mother",
        recorded_by="Lee Morgan",
    )
    flag_period = PupilStatus(
        pupil_id=own.id,
        kind="looked_after",
        started_on=date(2025, 9, 1),
        recorded_by_name="Lee Morgan",
    )
    import_job = AttendanceImportJob(
        school_id=first.id,
        created_by_name="Lee Morgan",
        file_name="week.csv",
        stored_name="0" * 32,
        status="checked",
        rows_read=1,
    )
    session.add_all([sign_off, consent, flag_period, import_job])
    session.flush()
    more = {
        "import_job": import_job.id,
        "sign_off": sign_off.id,
        "consent": consent.id,
        "flag_period": flag_period.id,
        "plan_case": plan_case.id,
    }
    session.commit()
    return {
        "own_pupil": own.id,
        "own_case": own_case.id,
        "camhs_action": camhs_action.id,
        "ended_pupil": ended.id,
        "ended_case": ended_case.id,
        "ended_action": ended_action.id,
        "other_school_pupil": other_school_pupil,
        "other_la_pupil": far.id,
        "other_la_case": far_case.id,
        "other_la_action": far_actions[agencies.index("camhs")].id,
        "first_panel": first_panel.id,
        "first_meeting": first_meeting.id,
        "own_item": own_item.id,
        "first_series": first_series.id,
        **funding,
        **more,
        "other_la_meeting": far_meeting.id,
    }


def _planned(session: Session, panel_case: Case, lead: Actor) -> Case:
    """A support-first case grown from the panel case, with a review and an agreed plan."""
    case = open_case(session, panel_case.pupil, "support_first", lead, linked_from=panel_case)
    start = utcnow() - timedelta(weeks=3)
    review = {"decision": "step_up", "pupil_views": "The bus is the worst bit."}
    for trigger, data in [
        ("review_held", {"review_notes": "Tried", "attendance_rate": "84", "plan_review": review}),
        ("step_up_to_targeted", {"step_up_reason": "Still below 90%"}),
        ("plan_agreed", {"support_plan": demo_plan(start)}),
    ]:
        start += timedelta(days=5)
        assert fire(case, trigger, lead, data, now=start), trigger
    return case


def _funding_records(session: Session) -> dict[str, int]:
    """The demo's first funding decision, budget, cohort, cohort session and cohort place
    (first school)."""
    from panelflow.funding.models import (
        Budget,
        Cohort,
        CohortPlace,
        CohortSession,
        FundingDecision,
    )

    def first(model: type, column: object) -> int:
        return session.scalars(select(column).order_by(column).limit(1)).one()  # type: ignore[arg-type]

    return {
        "decision": first(FundingDecision, FundingDecision.id),
        "budget": first(Budget, Budget.id),
        "cohort": first(Cohort, Cohort.id),
        "cohort_session": first(CohortSession, CohortSession.id),
        "cohort_place": first(CohortPlace, CohortPlace.id),
    }


def test_every_demo_persona_gets_exactly_what_the_table_says(
    app: Flask, personas: dict[str, str], resources: dict[str, int]
) -> None:
    roles_of = {p["key"]: p["role"] for p in PERSONAS}
    assert set(roles_of.values()) == set(ROLES), "the demo needs a persona for every role"
    failures = []
    for persona in [*personas, ANONYMOUS]:
        client: FlaskClient = app.test_client()
        if persona != ANONYMOUS:
            signed = Auth(client).sign_in(personas[persona], PERSONA_PASSWORD)
            assert signed.status_code == 302, f"{persona} could not sign in"
        role = roles_of.get(persona, ANONYMOUS)
        for route in ROUTES:
            path = route.path.format(**resources)
            response = client.open(path, method=route.method)
            body = response.get_data().decode("utf-8", "replace")  # PDFs are binary
            if role == ANONYMOUS and not route.public:
                expected = 302
            elif not route.public and role not in route.allowed:
                expected = 403
            elif route.sees is not None and persona not in route.sees:
                expected = 404
            elif persona in route.refused:
                expected = 403
            else:
                expected = route.ok
            where = f"{persona} ({role}): {route.method} {path}"
            if response.status_code != expected:
                failures.append(f"{where}: {response.status_code}, expected {expected}")
            elif (
                expected == 302
                and role == ANONYMOUS
                and not response.headers["Location"].startswith("/sign-in")
            ):
                failures.append(f"{where}: redirected to {response.headers['Location']}")
            if persona != "bidston" and " ".join(OTHER_SCHOOLS_PUPIL) in body:
                failures.append(f"{where}: shows another school's pupil")
            if " ".join(OTHER_LA_PUPIL) in body:
                failures.append(f"{where}: shows another local authority's pupil")
    assert not failures, "\n".join(failures)
