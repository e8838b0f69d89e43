"""Building the records an impact report reads, through the real operations.

A school with its panel and a budget; a cohort of a group programme with places for pupils
(each with a panel case); funded items; and weekly attendance records made so that each
pupil's before and after windows hold exactly the figures a test asks for.

``KNOWN_COHORT``: the cohort starts on Monday 3 March 2025 with six weekly sessions (the last
on 7 April). With no term dates every week is a school week, so the six-week windows are the
weeks of 20 January to 24 February (before) and 14 April to 19 May (after). Each window
holds 50 possible sessions (weeks of 9, 9, 8, 8, 8 and 8), so one session is 2 percentage
points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from panelflow.accounts.models import User
from panelflow.accounts.operations import actor_for
from panelflow.attendance.models import AttendanceImport, AttendanceRecord
from panelflow.cases.operations import open_case
from panelflow.funding.models import Programme
from panelflow.funding.operations import (
    add_place,
    add_programme,
    approve,
    propose,
    record_spend,
    set_budget,
    start_cohort,
)
from panelflow.organisations.models import LocalAuthority, School
from panelflow.panels.models import Panel, PanelSchool
from tests.factories import make_account, make_local_authority, make_pupil, make_school

COHORT_STARTS = date(2025, 3, 3)
BEFORE_WEEKS = [date(2025, 1, 20) + timedelta(weeks=n) for n in range(6)]
AFTER_WEEKS = [date(2025, 4, 14) + timedelta(weeks=n) for n in range(6)]
POSSIBLE = [9, 9, 8, 8, 8, 8]  # 50 sessions a window
REPORT_QUERY = "date_from=1&date_from=1&date_from=2025&date_to=31&date_to=7&date_to=2025"

# The Cradle to Career figures: 23 pupils, 19 improved, +16 percentage points on average.
# Before: 35 of 50 sessions (70%). After: 45 (+20 pp) for 17, 44 (+18 pp) for 2, and 34
# (-2 pp) for 4: (17 x 20 + 2 x 18 - 4 x 2) / 23 = 368 / 23 = 16.
KNOWN_AFTER = [45] * 17 + [44] * 2 + [34] * 4
KNOWN_BEFORE = 35


@dataclass
class Setting:
    """What a test needs to hand: the school, its panel, and its people."""

    authority: LocalAuthority
    school: School
    panel: Panel
    chair: User
    lead: User
    admin: User
    pupils: list[int] = field(default_factory=list)
    cases: dict[int, int] = field(default_factory=dict)  # pupil -> case


def school_with_panel(
    session: Session,
    name: str = "Birkenhead Park Primary",
    authority: LocalAuthority | None = None,
    chair_email: str | None = None,
) -> Setting:
    authority = authority or make_local_authority(session)
    school = make_school(session, name, local_authority=authority)
    panel = Panel(name=f"{name} panel", local_authority_id=authority.id)
    session.add(panel)
    session.flush()
    session.add(PanelSchool(panel_id=panel.id, school_id=school.id))
    chair = make_account(
        session, "panel_chair", school=school, local_authority=authority, email=chair_email
    )
    lead = make_account(session, "attendance_lead", school=school, local_authority=authority)
    admin = make_account(session, "la_admin", local_authority=authority)
    set_budget(
        session,
        actor_for(admin),
        panel_id=panel.id,
        label="2025",
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 12, 31),
        amount_pence=5_000_000,
    )
    session.flush()
    return Setting(authority, school, panel, chair, lead, admin)


def add_pupils(session: Session, at: Setting, count: int, **flags: object) -> list[int]:
    """``count`` pupils on the school's roll, each with a panel case; flags may be a list
    (one value per pupil) or one value for all."""
    made = []
    for n in range(count):
        values = {k: (v[n] if isinstance(v, list) else v) for k, v in flags.items()}
        pupil = make_pupil(
            session,
            at.school,
            given_name=f"Pupil{len(at.pupils) + 1}",
            family_name="Known",
            **values,
        )
        case = open_case(session, pupil, "school_panel", actor_for(at.chair))
        at.pupils.append(pupil.id)
        at.cases[pupil.id] = case.id
        made.append(pupil.id)
    return made


def attendance(
    session: Session, school: School, pupil_id: int, mondays: list[date], attended: int
) -> None:
    """Weekly records for the weeks of ``mondays``, ``attended`` sessions spread over them
    (at most each week's possible sessions), the rest unauthorised absence."""
    found = session.get(AttendanceImport, _import_for(session, school))
    assert found is not None
    left = attended
    rows = []
    for monday, possible in zip(mondays, POSSIBLE, strict=True):
        here = min(left, possible)
        left -= here
        rows.append(
            {
                "pupil_id": pupil_id,
                "import_id": found.id,
                "period_kind": "week",
                "period_start": monday,
                "period_end": monday + timedelta(days=4),
                "possible_sessions": possible,
                "attended_sessions": here,
                "authorised_absence": 0,
                "unauthorised_absence": possible - here,
            }
        )
    assert left == 0, "more sessions attended than possible"
    session.execute(insert(AttendanceRecord), rows)


def _import_for(session: Session, school: School) -> int:
    existing = session.query(AttendanceImport.id).filter_by(school_id=school.id).first()
    if existing is not None:
        return int(existing[0])
    row = AttendanceImport(
        school_id=school.id,
        imported_by_name="Test import",
        file_name="weeks.csv",
        status="imported",
    )
    session.add(row)
    session.flush()
    return row.id


def cohort_of(
    session: Session, at: Setting, programme: str, pupils: list[int], *, funded_pence: int = 0
) -> int:
    """A cohort of ``programme`` starting on ``COHORT_STARTS`` with six weekly sessions and a
    place for each pupil, paid for by an approved decision of ``funded_pence`` (spent in
    full) when given."""
    chair = actor_for(at.chair)
    offered = session.scalar(
        select(Programme).where(
            Programme.local_authority_id == at.authority.id, Programme.name == programme
        )
    ) or add_programme(session, actor_for(at.admin), name=programme, provider="The Hive Youth Zone")
    cohort = start_cohort(
        session,
        chair,
        programme_id=offered.id,
        panel_id=at.panel.id,
        label="Spring 2025",
        starts_on=COHORT_STARTS,
        session_count=6,
        places=max(len(pupils), 1),
    )
    for pupil_id in pupils:
        decision_id = None
        if funded_pence:
            decision_id = funded(session, at, pupil_id, "group_programme", funded_pence)
        add_place(session, chair, cohort.id, case_id=at.cases[pupil_id], decision_id=decision_id)
    return cohort.id


def funded(
    session: Session,
    at: Setting,
    pupil_id: int,
    item: str,
    pence: int,
    starts: date = COHORT_STARTS,
    ends: date | None = None,
) -> int:
    """An approved funding decision for the pupil, spent in full."""
    from panelflow.cases.models import Case

    chair = actor_for(at.chair)
    case = session.get(Case, at.cases[pupil_id])
    assert case is not None
    decision = propose(
        session,
        chair,
        case=case,
        item=item,
        amount_pence=pence,
        provider="Merseytravel",
        starts_on=starts,
        ends_on=ends or starts + timedelta(weeks=5),
    )
    if decision.status != "approved":
        approve(session, actor_for(at.lead), decision.id)
    record_spend(session, chair, decision.id, pence, starts)
    return decision.id


def known_cohort(session: Session, at: Setting, programme: str = "Inspiring Futures") -> int:
    """The Cradle to Career cohort: 23 pupils (with the flags the suppression tests read),
    attendance making 19 improve by +16 pp on average. Returns the cohort's id."""
    pupils = add_pupils(
        session,
        at,
        23,
        has_send=[n < 8 for n in range(23)],
        free_school_meals=[n < 4 for n in range(23)],
        looked_after=[n < 3 for n in range(23)],
        year_group=[7 + n // 6 for n in range(23)],
    )
    cohort = cohort_of(session, at, programme, pupils, funded_pence=40_000)
    for pupil_id, after in zip(pupils, KNOWN_AFTER, strict=True):
        attendance(session, at.school, pupil_id, BEFORE_WEEKS, KNOWN_BEFORE)
        attendance(session, at.school, pupil_id, AFTER_WEEKS, after)
    return cohort
