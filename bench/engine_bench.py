"""Benchmark the workflow engine: fire() against the raw limit, and validation speed.

    .venv/bin/python bench/engine_bench.py                      # SQLite (a temporary file)
    .venv/bin/python bench/engine_bench.py --database-url postgresql+psycopg://...  # throwaway!

1. fire() decisions per second, against the raw limit: the same rows (case update, transition
   record, timers cancelled and started, audit record chained to the head) written with plain
   SQLAlchemy Core, row by row, in one transaction on the same database in the same run.
   fire() runs its decisions in one transaction too, so the ratio measures the engine's own
   cost (decision, conditions, ORM, hashing), not the disk. Target: ratio >= 0.5.
   The same fire() loop committing after every decision is printed for information.
2. Validating a generated 200-state workflow file. Target: < 200 ms.

The database given is emptied: use a throwaway one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, update

import panelflow.models  # noqa: F401
from panelflow.audit.models import AuditHead, AuditRecord
from panelflow.cases.models import Case, CaseEvent, CaseTimer
from panelflow.cases.operations import Fired, fire, open_case
from panelflow.catalogue.operations import publish
from panelflow.db import Database
from panelflow.migrate import downgrade, upgrade
from panelflow.organisations.models import Pupil, School
from panelflow.roles import Actor
from panelflow.workflows.validation import validate_text

BENCH_WORKFLOW = """
agencies:
  school: School
roles:
  attendance_lead: {agency: school, label: Attendance lead}
fields:
  note: {label: Note, type: long_text}
workflows:
  loop:
    title: Review loop
    initial: open
    states:
      - name: open
        timers:
          - after: 6 school weeks
            flag: Review due
      - name: reviewing
        timers:
          - after: 2 school weeks
            flag: Review overdue
      - name: closed
        final: true
    transitions:
      - trigger: start_review
        source: open
        dest: reviewing
        allowed: [attendance_lead]
        requires: [note]
      - trigger: finish_review
        source: reviewing
        dest: open
        allowed: [attendance_lead]
        requires: [note]
        conditions: [has_recorded(note), time_in_state >= 0 days]
      - trigger: close
        source: "*"
        dest: closed
        allowed: [attendance_lead]
"""

LEAD = Actor("bench:lead", "Bench Lead", frozenset({"attendance_lead"}), "school")
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _prepare(db: Database, cases: int) -> list[int]:
    downgrade(db.url, "base")
    upgrade(db.url, "head")
    with db.transaction() as session:
        assert publish(session, BENCH_WORKFLOW, "bench", LEAD).ok
        school = School(name="Bench School")
        session.add(school)
        session.flush()
        pupil = Pupil(
            school_id=school.id,
            given_name="B",
            family_name="P",
            date_of_birth=datetime(2015, 1, 1).date(),
            year_group=5,
        )
        session.add(pupil)
        session.flush()
        return [open_case(session, pupil, "loop", LEAD, now=START).id for _ in range(cases)]


def _fire_all(db: Database, case_ids: list[int], rounds: int, commit_each: bool) -> float:
    triggers = ["start_review", "finish_review"]
    with db.sessions() as session:
        cases = session.scalars(select(Case).where(Case.id.in_(case_ids))).all()
        session.commit()
        began = time.perf_counter()
        moment = START
        for r in range(rounds):
            trigger = triggers[r % 2]
            for case in cases:
                moment += timedelta(seconds=1)
                result = fire(case, trigger, LEAD, {"note": "progress noted"}, now=moment)
                assert isinstance(result, Fired), result
                if commit_each:
                    session.commit()
        session.commit()
        return time.perf_counter() - began


def _raw_all(db: Database, case_ids: list[int], rounds: int) -> float:
    """The same rows, written with Core statements, one decision after another."""
    states = [("open", "reviewing"), ("reviewing", "open")]
    flags = {"open": "Review due", "reviewing": "Review overdue"}
    with db.engine.connect() as conn:
        versions = dict.fromkeys(case_ids, 1)
        group = {cid: g for cid, g in conn.execute(select(Case.id, Case.group_id))}
        version_id = conn.execute(select(Case.workflow_version_id).limit(1)).scalar_one()
        conn.commit()
        began = time.perf_counter()
        with conn.begin():
            moment = START
            for r in range(rounds):
                source, dest = states[r % 2]
                trigger = ["start_review", "finish_review"][r % 2]
                for cid in case_ids:
                    moment += timedelta(seconds=1)
                    seen = versions[cid]
                    done = conn.execute(
                        update(Case)
                        .where(Case.id == cid, Case.lock_version == seen)
                        .values(
                            state=dest,
                            state_entered_at=moment,
                            is_final=False,
                            closed_at=None,
                            lock_version=seen + 1,
                        )
                    ).rowcount
                    assert done == 1
                    versions[cid] = seen + 1
                    conn.execute(
                        insert(CaseEvent).values(
                            case_id=cid,
                            number=seen + 1,
                            group_id=group[cid],
                            workflow_key="loop",
                            workflow_version_id=version_id,
                            trigger=trigger,
                            from_state=source,
                            to_state=dest,
                            actor_id=LEAD.id,
                            actor_name=LEAD.name,
                            role="attendance_lead",
                            agency="school",
                            at=moment,
                            fields={"note": "progress noted"},
                        )
                    )
                    conn.execute(
                        update(CaseTimer)
                        .where(CaseTimer.case_id == cid, CaseTimer.status == "pending")
                        .values(status="cancelled", done_at=moment)
                    )
                    conn.execute(
                        insert(CaseTimer).values(
                            case_id=cid,
                            state=dest,
                            entered_at=moment,
                            due_at=moment + timedelta(weeks=2),
                            flag=flags[dest],
                        )
                    )
                    head = conn.execute(
                        select(AuditHead.seq, AuditHead.hash)
                        .where(AuditHead.id == 1)
                        .with_for_update()
                    ).one()
                    details = {
                        "trigger": trigger,
                        "from": source,
                        "to": dest,
                        "fields": {"note": "progress noted"},
                    }
                    digest = hashlib.sha256(
                        json.dumps(
                            {"seq": head.seq + 1, "details": details, "prev_hash": head.hash},
                            sort_keys=True,
                            separators=(",", ":"),
                        ).encode()
                    ).hexdigest()
                    conn.execute(
                        insert(AuditRecord).values(
                            seq=head.seq + 1,
                            at=moment,
                            action="case.transition",
                            actor_id=LEAD.id,
                            actor_name=LEAD.name,
                            role="attendance_lead",
                            agency="school",
                            case_id=cid,
                            pupil_id=None,
                            workflow_version=1,
                            summary=f"{trigger}: {source} → {dest}",
                            details=details,
                            prev_hash=head.hash,
                            hash=digest,
                        )
                    )
                    conn.execute(
                        update(AuditHead)
                        .where(AuditHead.id == 1)
                        .values(seq=head.seq + 1, hash=digest)
                    )
        return time.perf_counter() - began


def generated_workflow(states: int) -> str:
    """A valid file with one long workflow: a chain of states with reviews and timers."""
    lines = [
        "agencies:",
        "  school: School",
        "roles:",
        "  lead: {agency: school, label: Lead}",
        "fields:",
        "  note: {label: Note}",
        "workflows:",
        "  big:",
        "    title: Generated",
        "    initial: s0",
        "    states:",
    ]
    for n in range(states - 1):
        lines += [
            f"      - name: s{n}",
            f"        label: Stage {n}",
            "        timers:",
            "          - after: 6 school weeks",
            "            flag: Review due",
        ]
    lines += ["      - name: done", "        final: true", "    transitions:"]
    for n in range(states - 1):
        nxt = f"s{n + 1}" if n < states - 2 else "done"
        lines += [
            f"      - trigger: advance_{n}",
            f"        source: s{n}",
            f"        dest: {nxt}",
            "        allowed: [lead]",
            "        requires: [note]",
            f"        conditions: [has_recorded(note), count_of(advance_{n}) < 3]",
        ]
    lines += [
        "      - trigger: review",
        '        source: "*"',
        '        dest: "="',
        "        allowed: [lead]",
        "      - trigger: close",
        '        source: "*"',
        "        dest: done",
        "        allowed: [lead]",
    ]
    return "\n".join(lines) + "\n"


def bench_validation(states: int = 200, runs: int = 15) -> tuple[float, int]:
    text = generated_workflow(states)
    result = validate_text(text)
    assert result.ok, result.lines("generated")[:5]
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        validate_text(text)
        timings.append(time.perf_counter() - began)
    return statistics.median(timings), len(text.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a THROWAWAY database (default: temp SQLite)")
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        db = Database(url)
        decisions = args.cases * args.rounds
        print(
            f"database: {db.engine.dialect.name}; {args.cases} cases x {args.rounds} rounds "
            f"= {decisions} decisions"
        )

        ids = _prepare(db, args.cases)
        raw = _raw_all(db, ids, args.rounds)
        ids = _prepare(db, args.cases)
        engine = _fire_all(db, ids, args.rounds, commit_each=False)
        ids = _prepare(db, args.cases)
        committed = _fire_all(db, ids, args.rounds, commit_each=True)
        db.dispose()

    raw_rate, fire_rate, commit_rate = decisions / raw, decisions / engine, decisions / committed
    print(f"raw limit (Core, one transaction):   {raw_rate:9.0f} decisions/s")
    print(f"fire() (one transaction):            {fire_rate:9.0f} decisions/s")
    print(f"ratio fire()/raw:                    {fire_rate / raw_rate:9.2f}   (target >= 0.5)")
    print(f"fire() committing every decision:    {commit_rate:9.0f} decisions/s")

    median, lines = bench_validation()
    print(
        f"validate a 200-state workflow ({lines} lines): {median * 1000:.1f} ms median "
        f"(target < 200 ms)"
    )


if __name__ == "__main__":
    main()
