"""Benchmark the impact report and barrier themes over 50,000 pupils.

    .venv/bin/python bench/impact_bench.py                  # SQLite (a temporary file)
    .venv/bin/python bench/impact_bench.py --pupils 5000    # smaller
    .venv/bin/python bench/impact_bench.py --database-url postgresql+psycopg://...  # throwaway!

Builds one local authority with ``--schools`` schools (default 50), each with its own panel,
sharing ``--pupils`` pupils (default 50,000), each with ``--weeks`` weekly attendance records
(default 46: September to July). ``--share`` of the pupils (default 15%) had help: two in
three an approved funding decision (a bus pass, mentoring, uniform; spent in full), one in
three a place on a cohort of a group programme (20 places, six weekly sessions, half the
places paid for by a decision). Starts are spread from October to May, so every window is
over. A third of the pupils with help have barriers recorded at their panel.

All of it is written in bulk, then statistics are refreshed (as ``tick`` does in service).
The report is timed ``--runs`` times for the whole authority (the LA view, every school)
and for one school (a panel chair's view): p50 and p95, the statements sent, the peak of
Python memory while one report is built (``tracemalloc``) and the process's peak resident
memory. The barrier themes are timed the same way. The database given is emptied: use a
throwaway one.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.engine import Engine

import panelflow.models  # noqa: F401 - every table on Base.metadata
from panelflow.attendance.models import AttendanceImport, AttendanceRecord
from panelflow.cases.models import Case
from panelflow.catalogue.operations import publish
from panelflow.db import Database
from panelflow.funding.models import (
    Budget,
    Cohort,
    CohortPlace,
    CohortSession,
    FundingDecision,
    Programme,
    SpendEntry,
)
from panelflow.impact.barriers import BarrierFilters
from panelflow.impact.measures import Filters
from panelflow.impact.operations import barrier_themes, impact_report
from panelflow.impact.scope import Scope
from panelflow.migrate import downgrade, upgrade
from panelflow.organisations.models import LocalAuthority, Pupil, School
from panelflow.panels.models import CaseBarrier, Panel, PanelSchool
from panelflow.roles import cli_actor

WORKFLOWS = Path(__file__).resolve().parent.parent / "config" / "workflows.yaml"
FIRST_MONDAY = date(2024, 9, 2)
TODAY = date(2025, 9, 1)  # every window over
FILTERS = Filters(date(2024, 9, 1), date(2025, 8, 31))
ITEMS = ("transport", "mentoring", "uniform", "equipment")
BATCH = 20_000
BARRIERS = [
    ("pupil", "anxiety or low mood"),
    ("pupil", "emotionally based school avoidance (EBSA)"),
    ("family", "poverty or debt"),
    ("family", "getting to school on time (work or caring commitments)"),
    ("school", "bullying"),
    ("health", "long-term illness"),
]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


@contextmanager
def counting(engine: Engine) -> Iterator[list[int]]:
    count = [0]

    def before(*_args: Any) -> None:
        count[0] += 1

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", before)


def bulk(session: Any, model: Any, rows: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> int:
    written = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            session.execute(insert(model), batch)
            written += len(batch)
            batch = []
    if batch:
        session.execute(insert(model), batch)
        written += len(batch)
    return written


def build(
    database: Database, pupils: int, schools: int, weeks: int, share: float
) -> dict[str, int]:
    rng = random.Random(6)
    started = time.perf_counter()
    with database.transaction() as session:
        result = publish(
            session, WORKFLOWS.read_text(encoding="utf-8"), "workflows.yaml", cli_actor("bench")
        )
        assert result.version is not None
        version_id = result.version.id
        la = LocalAuthority(name="Bench Council")
        session.add(la)
        session.flush()
        school_ids, panel_ids, budget_ids, import_ids = [], [], [], []
        for n in range(schools):
            school = School(name=f"School {n + 1:03d}", urn=f"9{n:05d}", local_authority_id=la.id)
            panel = Panel(name=f"Panel {n + 1:03d}", local_authority_id=la.id)
            session.add_all([school, panel])
            session.flush()
            session.add(PanelSchool(panel_id=panel.id, school_id=school.id))
            budget = Budget(
                panel_id=panel.id,
                label="2024-25",
                starts_on=date(2024, 9, 1),
                ends_on=date(2025, 8, 31),
                amount_pence=10**9,
                set_by_name="bench",
            )
            imported = AttendanceImport(
                school_id=school.id,
                imported_by_name="bench",
                file_name="weeks.csv",
                status="imported",
            )
            session.add_all([budget, imported])
            session.flush()
            school_ids.append(school.id)
            panel_ids.append(panel.id)
            budget_ids.append(budget.id)
            import_ids.append(imported.id)
        programme = Programme(
            local_authority_id=la.id,
            name="Inspiring Futures",
            provider="The Hive",
            created_by_name="bench",
        )
        session.add(programme)
        session.flush()
        first_pupil = (session.scalar(select(Pupil.id).order_by(Pupil.id.desc()).limit(1)) or 0) + 1
        bulk(
            session,
            Pupil,
            (
                {
                    "id": first_pupil + i,
                    "school_id": school_ids[i % schools],
                    "given_name": "Pupil",
                    "family_name": str(i),
                    "date_of_birth": date(2012, 1, 1) + timedelta(days=i % 1500),
                    "year_group": 3 + i % 9,
                    "has_send": i % 6 == 0,
                    "free_school_meals": i % 4 == 0,
                    "looked_after": i % 50 == 0,
                }
                for i in range(pupils)
            ),
        )

        def weekly() -> Iterator[dict[str, Any]]:
            for week in range(weeks):
                monday = FIRST_MONDAY + timedelta(weeks=week)
                for i in range(pupils):
                    attended = 10 - (i * 7 + week * 3) % 4 - (1 if (i + week) % 9 == 0 else 0)
                    yield {
                        "pupil_id": first_pupil + i,
                        "import_id": import_ids[i % schools],
                        "period_kind": "week",
                        "period_start": monday,
                        "period_end": monday + timedelta(days=4),
                        "possible_sessions": 10,
                        "attended_sessions": attended,
                        "authorised_absence": 10 - attended,
                        "unauthorised_absence": 0,
                    }

        records = bulk(session, AttendanceRecord, weekly())
        helped = rng.sample(range(pupils), int(pupils * share))
        cases = [
            {
                "pupil_id": first_pupil + i,
                "workflow_key": "school_panel",
                "workflow_version_id": version_id,
                "state": "nominated",
                "group_id": uuid.uuid4().hex,
            }
            for i in helped
        ]
        bulk(session, Case, cases)
        case_of = dict(
            session.execute(
                select(Case.pupil_id, Case.id).where(Case.pupil_id >= first_pupil)
            ).all()
        )
        decisions: list[dict[str, Any]] = []
        places: list[tuple[int, int, bool]] = []  # (pupil index, school index, funded)
        for n, i in enumerate(helped):
            s = i % schools
            starts = date(2024, 10, 1) + timedelta(days=rng.randrange(0, 210))
            if n % 3 == 2:
                places.append((i, s, n % 2 == 0))
                continue
            decisions.append(
                _decision(
                    first_pupil + i,
                    case_of[first_pupil + i],
                    panel_ids[s],
                    budget_ids[s],
                    version_id,
                    rng.choice(ITEMS),
                    starts,
                    starts + timedelta(days=rng.choice((0, 14, 42))),
                )
            )
        # Places: cohorts of 20 per school, starting on Mondays from October to May.
        by_school: dict[int, list[tuple[int, bool]]] = {}
        for i, s, paid in places:
            by_school.setdefault(s, []).append((i, paid))
        place_rows = []
        for s, members in by_school.items():
            for first in range(0, len(members), 20):
                group = members[first : first + 20]
                monday = date(2024, 10, 7) + timedelta(weeks=rng.randrange(0, 30))
                cohort = Cohort(
                    programme_id=programme.id,
                    panel_id=panel_ids[s],
                    label=f"Cohort {first // 20}",
                    starts_on=monday,
                    session_count=6,
                    places=20,
                    created_by_name="bench",
                )
                session.add(cohort)
                session.flush()
                session.execute(
                    insert(CohortSession),
                    [
                        {
                            "cohort_id": cohort.id,
                            "number": k + 1,
                            "held_on": monday + timedelta(weeks=k),
                        }
                        for k in range(6)
                    ],
                )
                for i, paid in group:
                    place_rows.append((cohort.id, i, paid, s, monday))
        for _cohort, i, paid, s, monday in place_rows:
            if paid:
                decisions.append(
                    _decision(
                        first_pupil + i,
                        case_of[first_pupil + i],
                        panel_ids[s],
                        budget_ids[s],
                        version_id,
                        "group_programme",
                        monday,
                        monday + timedelta(weeks=5),
                        pence=40_000,
                    )
                )
        bulk(session, FundingDecision, decisions)
        decision_of = {
            (pupil, item): (decision_id, pence)
            for decision_id, pupil, item, pence in session.execute(
                select(
                    FundingDecision.id,
                    FundingDecision.pupil_id,
                    FundingDecision.item,
                    FundingDecision.amount_pence,
                )
            )
        }
        bulk(
            session,
            SpendEntry,
            (
                {
                    "decision_id": d,
                    "amount_pence": p,
                    "spent_on": date(2024, 12, 1),
                    "by_name": "bench",
                }
                for d, p in decision_of.values()
            ),
        )
        bulk(
            session,
            CohortPlace,
            (
                {
                    "cohort_id": cohort_id,
                    "case_id": case_of[first_pupil + i],
                    "pupil_id": first_pupil + i,
                    "decision_id": decision_of[(first_pupil + i, "group_programme")][0]
                    if paid
                    else None,
                    "added_by_name": "bench",
                }
                for cohort_id, i, paid, _s, _m in place_rows
            ),
        )
        barrier_rows = []
        for n, i in enumerate(helped[::3]):
            for k in range(1 + n % 3):
                category, barrier = BARRIERS[(n + k) % len(BARRIERS)]
                barrier_rows.append(
                    {
                        "case_id": case_of[first_pupil + i],
                        "category": category,
                        "barrier": barrier,
                        "recorded_by_name": "bench",
                        "at": datetime(2024, 10, 1, 10, tzinfo=UTC)
                        + timedelta(days=rng.randrange(0, 270)),
                    }
                )
        bulk(session, CaseBarrier, barrier_rows)
        school_id = school_ids[0]
        authority_id = la.id
    database.refresh_statistics()
    print(
        f"built {pupils:,} pupils at {schools} schools, {records:,} weekly attendance records, "
        f"{len(decisions):,} funding decisions, {len(place_rows):,} programme places, "
        f"{len(barrier_rows):,} barriers in {time.perf_counter() - started:.0f} s"
    )
    return {"school": school_id, "authority": authority_id, "interventions": len(helped)}


def _decision(
    pupil: int,
    case: int,
    panel: int,
    budget: int,
    version: int,
    item: str,
    starts: date,
    ends: date,
    pence: int = 4_500,
) -> dict[str, Any]:
    return {
        "panel_id": panel,
        "budget_id": budget,
        "case_id": case,
        "pupil_id": pupil,
        "workflow_version_id": version,
        "item": item,
        "amount_pence": pence,
        "provider": "bench",
        "starts_on": starts,
        "ends_on": ends,
        "status": "approved",
        "proposed_by_id": "cli:bench",
        "proposed_by_name": "bench",
    }


def timed(database: Database, label: str, runs: int, work: Callable[[Any], Any]) -> float:
    with database.sessions() as session:
        work(session)  # warm up: caches, the planner's first look
        session.rollback()
    times = []
    for _ in range(runs):
        with database.sessions() as session, counting(database.engine) as statements:
            started = time.perf_counter()
            work(session)
            times.append((time.perf_counter() - started) * 1000)
            session.rollback()
    with database.sessions() as session:
        tracemalloc.start()
        work(session)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        session.rollback()
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    p50 = statistics.median(times)
    print(
        f"{label:<34} p50 {p50:7.0f} ms  p95 {p95:7.0f} ms  {statements[0]:3d} statements  "
        f"Python peak {peak / 1_048_576:5.1f} MB  process peak {peak_mb():.0f} MB"
    )
    return p50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a THROWAWAY database (default: temp SQLite)")
    parser.add_argument("--pupils", type=int, default=50_000)
    parser.add_argument("--schools", type=int, default=50)
    parser.add_argument("--weeks", type=int, default=46)
    parser.add_argument("--share", type=float, default=0.15)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        downgrade(url, "base")
        upgrade(url, "head")
        database = Database(url)
        made = build(database, args.pupils, args.schools, args.weeks, args.share)
        with database.sessions() as session:
            authority = Scope("Bench Council", local_authority_id=made["authority"])
            report = impact_report(session, authority, FILTERS, TODAY)
            print(
                f"LA report: {report.total.measured:,} measured, {report.total.improved:,} "
                f"improved, mean {report.total.mean_change:+.1f} pp; "
                f"{report.waiting + report.no_attendance} not measurable"
            )
        school = Scope("School 001", school_id=made["school"])
        whole = timed(
            database,
            "impact report, LA view",
            args.runs,
            lambda s: impact_report(s, authority, FILTERS, TODAY),
        )
        one = timed(
            database,
            "impact report, one school",
            args.runs,
            lambda s: impact_report(s, school, FILTERS, TODAY),
        )
        barriers = BarrierFilters(FILTERS.date_from, FILTERS.date_to)
        timed(
            database,
            "barrier themes, LA view",
            args.runs,
            lambda s: barrier_themes(s, authority, barriers),
        )
        timed(
            database,
            "barrier themes, one school",
            args.runs,
            lambda s: barrier_themes(s, school, barriers),
        )
        print(
            f"ratios: LA view / one school {whole / one:.1f}x for {args.schools}x the pupils; "
            f"{whole * 1000 / made['interventions']:.0f} µs per intervention (LA view)"
        )
        database.dispose()
        if not args.database_url:
            downgrade(url, "base")


if __name__ == "__main__":
    main()
