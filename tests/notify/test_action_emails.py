"""Emails about actions, against the real outbox and a real SMTP server on loopback.

Who gets them (``recipients`` must agree with ``addressed_to`` for every person), what they
say (never the pupil's name), and when (once per person; overdue once, then weekly).
SQLite transactions begin IMMEDIATE, so the test's session is committed before anything
else (the CLI, ``send_pending``, another thread) writes, and expired afterwards.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow import cli, config, create_app
from panelflow.accounts.models import User
from panelflow.accounts.operations import actor_for
from panelflow.actions.models import Action
from panelflow.actions.operations import addressed_to, create_action, work_on
from panelflow.cases.models import Case
from panelflow.cases.operations import open_case
from panelflow.catalogue.models import WorkflowVersion
from panelflow.db import Database, utcnow
from panelflow.notify.actions import (
    announce_declined,
    announce_new,
    base_url,
    iso_week,
    recipients,
    remind_overdue,
)
from panelflow.notify.models import OutgoingEmail
from panelflow.notify.outbox import MAX_SUBJECT, send_pending
from panelflow.notify.smtp import SmtpSettings
from panelflow.organisations.models import Pupil, School
from panelflow.panels.models import Meeting, Panel, PanelMember, PanelSchool
from panelflow.roles import Actor
from tests.factories import make_account, make_local_authority, make_pupil, make_school
from tests.smtp import SmtpServer

BASE = "https://panels.wirral.example.gov.uk"
T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
PANEL = Actor("test:panel", "Priya Shah", frozenset({"panel_chair"}), "school")


@pytest.fixture(autouse=True)
def _base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANELFLOW_BASE_URL", BASE + "/")


@dataclass
class Place:
    """One local authority with two schools, another authority, and people in each."""

    park: School
    other_school: School
    far_school: School
    pupil: Pupil
    case: Case
    far_case: Case
    users: dict[str, User]


@pytest.fixture
def place(session: Session, published: WorkflowVersion) -> Place:
    wirral = make_local_authority(session, "Wirral Council")
    sefton = make_local_authority(session, "Sefton Council")
    park = make_school(session, "Birkenhead Park Primary", local_authority=wirral)
    other_school = make_school(session, "Bidston Avenue Primary", local_authority=wirral)
    far_school = make_school(session, "Litherland High", local_authority=sefton)
    pupil = make_pupil(session, park, given_name="Amara", family_name="Hughes")
    far_pupil = make_pupil(session, far_school, given_name="Jordan", family_name="Price")

    def account(key: str, *roles: str, **kwargs: Any) -> User:
        kwargs.setdefault("local_authority", wirral)
        return make_account(session, *roles, email=f"{key}@example.org", name=key.title(), **kwargs)

    users = {
        "camhs": account("camhs", "camhs_practitioner"),
        "camhs_far": account("camhs_far", "camhs_practitioner", local_authority=sefton),
        "camhs_gone": account("camhs_gone", "camhs_practitioner", active=False),
        "youth": account("youth", "youth_worker"),
        "ewo_and_ep": account("ewo_and_ep", "educational_psychologist", "inclusion_facilitator"),
        "chair": account("chair", "panel_chair", school=park),
        "co_chair": account("co_chair", "attendance_lead", "panel_chair", school=park),
        "teacher": account("teacher", "school_staff", school=park),
        "teacher_other": account("teacher_other", "school_staff", school=other_school),
        "far_chair": account("far_chair", "panel_chair", school=far_school, local_authority=sefton),
        "admin": account("admin", "la_admin"),
        "auditor": account("auditor", "auditor"),
        "chair_gone": account("chair_gone", "panel_chair", school=park, active=False),
    }
    case = open_case(session, pupil, "school_panel", PANEL, now=T)
    far_case = open_case(session, far_pupil, "school_panel", PANEL, now=T)
    session.commit()
    return Place(park, other_school, far_school, pupil, case, far_case, users)


def panel_for(session: Session, school: School, *chairs: User, members: tuple[User, ...] = ()):  # type: ignore[no-untyped-def]
    panel = Panel(name=f"{school.name} panel", local_authority_id=school.local_authority_id)
    session.add(panel)
    session.flush()
    session.add(PanelSchool(panel_id=panel.id, school_id=school.id))
    for user in chairs:
        session.add(PanelMember(panel_id=panel.id, user_id=user.id, is_chair=True))
    for user in members:
        session.add(PanelMember(panel_id=panel.id, user_id=user.id, is_chair=False))
    session.flush()
    return panel


def emails(session: Session, prefix: str = "") -> list[OutgoingEmail]:
    return list(
        session.scalars(
            select(OutgoingEmail)
            .where(OutgoingEmail.dedupe_key.like(prefix + "%"))
            .order_by(OutgoingEmail.id)
        )
    )


def addresses(rows: list[OutgoingEmail]) -> list[str]:
    return sorted(r.to_address for r in rows)


def names(users: list[User]) -> list[str]:
    return sorted(u.email.split("@")[0] for u in users)


def act(session: Session, case: Case, **kwargs: Any) -> Action:
    kwargs.setdefault("title", "Assess for anxiety support")
    kwargs.setdefault("now", T)
    return create_action(session, case, PANEL, **kwargs)


# --- who -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"agency": "camhs"}, ["camhs"]),  # agency-wide: not another LA's, not inactive
        ({"agency": "camhs", "role": "camhs_practitioner"}, ["camhs"]),
        ({"agency": "educational_psychology", "role": "inclusion_facilitator"}, ["ewo_and_ep"]),
        ({"agency": "school", "role": "panel_chair"}, ["chair", "co_chair"]),
        ({"agency": "school"}, ["chair", "co_chair", "teacher"]),  # not another school's staff
        ({"agency": "school", "role": "attendance_lead"}, ["co_chair"]),
        ({"agency": "local_authority"}, []),  # administrators and auditors do not work on them
        ({"agency": "social_care"}, []),
        ({"agency": "camhs", "assigned": "youth"}, ["youth"]),  # the named person only
        ({"agency": "camhs", "assigned": "camhs_gone"}, []),
        ({"agency": "camhs", "assigned": "admin"}, []),
    ],
    ids=lambda v: "-".join(f"{k}={w}" for k, w in v.items()) if isinstance(v, dict) else None,
)
def test_recipients_are_the_people_whose_inbox_shows_the_action(
    session: Session, place: Place, kwargs: dict[str, str], expected: list[str]
) -> None:
    assigned = kwargs.pop("assigned", None)
    action = act(
        session,
        place.case,
        assigned_user_id=place.users[assigned].id if assigned else None,
        **kwargs,
    )

    assert names(recipients(session, action)) == expected
    assert equivalent(session, place, action)


def test_another_local_authoritys_action_goes_to_its_own_people(
    session: Session, place: Place
) -> None:
    camhs = act(session, place.far_case, agency="camhs")
    school = act(session, place.far_case, agency="school")

    assert names(recipients(session, camhs)) == ["camhs_far"]
    assert names(recipients(session, school)) == ["far_chair"]
    assert equivalent(session, place, camhs) and equivalent(session, place, school)


def equivalent(session: Session, place: Place, action: Action) -> bool:
    """``recipients`` is exactly the set of active people ``addressed_to`` selects it for."""
    everyone = list(session.scalars(select(User)))
    inbox = {
        u.id
        for u in everyone
        if u.active
        and session.scalar(
            select(Action.id).where(Action.id == action.id, addressed_to(actor_for(u)))
        )
    }
    assert {u.id for u in recipients(session, action)} == inbox
    return True


def test_recipients_follow_the_action_when_it_is_accepted(session: Session, place: Place) -> None:
    action = act(session, place.case, agency="school")
    work_on(session, action.id, actor_for(place.users["teacher"]), "accept", now=T)

    assert names(recipients(session, action)) == ["teacher"]
    assert equivalent(session, place, action)


# --- a new action --------------------------------------------------------------------------


def test_an_action_agreed_outside_a_meeting_is_announced_at_once(
    session: Session, place: Place
) -> None:
    action = act(session, place.case, agency="camhs", due_at=T + timedelta(days=14))
    session.commit()

    [email] = emails(session, "action-new:")
    assert email.to_address == "camhs@example.org"
    assert email.dedupe_key == f"action-new:{action.id}:{place.users['camhs'].id}"
    assert email.subject == "New action for you: Assess for anxiety support"
    assert email.body == (
        "A new action has been agreed, and it is yours to pick up.\n"
        "\n"
        "Action: Assess for anxiety support\n"
        "For: anyone in CAMHS (child and adolescent mental health services)\n"
        "Asked by: Priya Shah\n"
        "School: Birkenhead Park Primary\n"
        "Due: 16 March 2026\n"
        "\n"
        "Sign in to panelflow to read about the pupil, then accept the action or decline it "
        "with a\nreason:\n"
        f"{BASE}/actions/{action.id}\n"
        "\n"
        "This email does not name the pupil: their details are shown only after you sign in.\n"
    )
    assert_no_personal_data(email.body + email.subject, place.pupil)


def test_announcing_again_queues_nothing_more(session: Session, place: Place) -> None:
    action = act(session, place.case, agency="school")
    session.commit()
    assert addresses(emails(session)) == [
        "chair@example.org",
        "co_chair@example.org",
        "teacher@example.org",
    ]

    assert announce_new(session, [action], now=T + timedelta(hours=1)) == 0
    session.commit()
    assert len(emails(session)) == 3


def test_a_meetings_actions_wait_for_the_meeting_to_close(session: Session, place: Place) -> None:
    panel = panel_for(session, place.park, place.users["chair"])
    meeting = Meeting(panel_id=panel.id, starts_at=T, status="in_progress")
    session.add(meeting)
    session.flush()
    camhs = act(session, place.case, agency="camhs", meeting_id=meeting.id)
    youth = act(session, place.case, agency="youth_service", meeting_id=meeting.id, title="Club")
    withdrawn = act(session, place.case, agency="camhs", meeting_id=meeting.id, title="Old")
    withdrawn.status = "completed"
    assert emails(session) == []

    assert announce_new(session, [camhs, youth, withdrawn], now=T) == 2
    session.commit()

    assert [(e.to_address, e.subject) for e in emails(session)] == [
        ("camhs@example.org", "New action for you: Assess for anxiety support"),
        ("youth@example.org", "New action for you: Club"),
    ]


def test_a_named_person_is_told_it_is_theirs_by_name(session: Session, place: Place) -> None:
    action = act(
        session, place.case, agency="youth_service", assigned_user_id=place.users["youth"].id
    )

    [email] = emails(session)
    assert email.to_address == "youth@example.org"
    assert "For: you, by name\n" in email.body
    assert "Due: no date set\n" in email.body
    assert f"{BASE}/actions/{action.id}\n" in email.body


def test_a_role_is_named_with_the_workflow_files_label(session: Session, place: Place) -> None:
    act(session, place.case, agency="educational_psychology", role="inclusion_facilitator")

    [email] = emails(session)
    assert "For: Inclusion facilitator (anyone in that role)\n" in email.body


def test_a_title_typed_over_several_lines_makes_a_one_line_subject_that_fits(
    session: Session, place: Place
) -> None:
    act(session, place.case, agency="camhs", title="Assess\r\nfor   anxiety")
    act(session, place.case, agency="camhs", title="x" * 300)

    short, long = emails(session)
    assert short.subject == "New action for you: Assess for anxiety"
    assert len(long.subject) == MAX_SUBJECT and long.subject.endswith("x…")


def test_an_address_the_outbox_cannot_use_does_not_stop_the_action(
    session: Session, place: Place
) -> None:
    place.users["camhs"].email = "camhs at example.org"
    session.flush()

    action = act(session, place.case, agency="camhs")
    session.commit()

    assert session.get(Action, action.id) is not None
    assert emails(session) == []


# --- declined ------------------------------------------------------------------------------


def test_a_decline_goes_to_the_chairs_and_whoever_created_the_action(
    session: Session, place: Place
) -> None:
    u = place.users
    panel_for(
        session, place.park, u["chair"], u["co_chair"], u["chair_gone"], members=(u["youth"],)
    )
    panel_for(session, place.far_school, u["far_chair"])
    action = create_action(
        session, place.case, actor_for(u["teacher"]), title="Assess", agency="camhs", now=T
    )
    session.commit()

    work_on(
        session,
        action.id,
        actor_for(u["camhs"]),
        "decline",
        "Not a CAMHS threshold; try the school nurse.",
        now=T + timedelta(days=1),
    )
    session.commit()

    declined = emails(session, "action-declined:")
    assert addresses(declined) == [
        "chair@example.org",
        "co_chair@example.org",
        "teacher@example.org",
    ]
    body = declined[0].body
    assert declined[0].subject == "Action declined: Assess"
    assert body == (
        "Camhs declined an action agreed for a pupil at Birkenhead Park Primary.\n"
        "\n"
        "Action: Assess\n"
        "It was for: anyone in CAMHS (child and adolescent mental health services)\n"
        "Due: no date set\n"
        "\n"
        "Their reason:\n"
        "Not a CAMHS threshold; try the school nurse.\n"
        "\n"
        "The action needs someone else, or a different plan. Sign in to panelflow to see the "
        "case:\n"
        f"{BASE}/cases/{place.case.id}\n"
        "\n"
        "This email does not name the pupil: their details are shown only after you sign in.\n"
    )
    assert_no_personal_data(body, place.pupil)

    # Told once per decline.
    assert announce_declined(session, action, now=T + timedelta(days=2)) == 0


def test_whoever_declined_is_not_told_of_their_own_decline(session: Session, place: Place) -> None:
    u = place.users
    panel_for(session, place.park, u["chair"], u["co_chair"])
    chair = actor_for(u["chair"])
    action = create_action(session, place.case, chair, title="Call home", agency="school", now=T)
    work_on(session, action.id, chair, "accept", now=T)
    session.commit()

    work_on(session, action.id, chair, "decline", "I am off for a month.", now=T)
    session.commit()

    [email] = emails(session, "action-declined:")
    assert email.to_address == "co_chair@example.org"
    assert "It was for: Chair\n" in email.body  # accepted by the chair, so theirs by name


def test_a_school_without_a_panel_tells_only_the_creator(session: Session, place: Place) -> None:
    u = place.users
    action = create_action(
        session, place.case, actor_for(u["teacher"]), title="Assess", agency="camhs", now=T
    )
    work_on(session, action.id, actor_for(u["camhs"]), "decline", "Not for us.", now=T)

    assert addresses(emails(session, "action-declined:")) == ["teacher@example.org"]


def test_nothing_is_announced_for_an_action_never_declined(session: Session, place: Place) -> None:
    action = act(session, place.case, agency="camhs")

    assert announce_declined(session, action) == 0


# --- overdue -------------------------------------------------------------------------------


def test_an_overdue_action_is_reminded_once_then_weekly(session: Session, place: Place) -> None:
    action = act(session, place.case, agency="camhs", due_at=T - timedelta(days=1))
    act(session, place.case, agency="camhs", due_at=T + timedelta(days=30), title="Later")
    act(session, place.case, agency="camhs", title="No date")
    session.commit()

    assert remind_overdue(session, now=T) == 1
    assert remind_overdue(session, now=T + timedelta(hours=1)) == 0
    assert remind_overdue(session, now=T + timedelta(days=6, hours=23)) == 0
    assert remind_overdue(session, now=T + timedelta(days=7)) == 1
    assert remind_overdue(session, now=T + timedelta(days=7, minutes=5)) == 0
    assert remind_overdue(session, now=T + timedelta(days=13)) == 0
    assert remind_overdue(session, now=T + timedelta(days=14, hours=2)) == 1
    session.commit()

    first, *follow_ups = emails(session, "action-overdue:")
    user = place.users["camhs"].id
    assert first.dedupe_key == f"action-overdue:{action.id}:{user}"
    assert [e.dedupe_key for e in follow_ups] == [
        f"action-overdue:{action.id}:{user}:2026-W11",
        f"action-overdue:{action.id}:{user}:2026-W12",
    ]
    assert first.subject == "Action overdue: Assess for anxiety support"
    assert follow_ups[0].subject == "Action still overdue: Assess for anxiety support"
    assert first.body.startswith("This action is now overdue.\n\nAction: Assess")
    assert follow_ups[0].body.startswith("This action is still overdue.\n")
    assert "Due: 1 March 2026\n" in first.body
    assert "Status: waiting for someone to accept it\n" in first.body
    assert f"{BASE}/actions/{action.id}\n" in first.body
    assert_no_personal_data(first.body, place.pupil)


def test_accepted_actions_remind_their_owner_and_finished_ones_stop(
    session: Session, place: Place
) -> None:
    u = place.users
    accepted = act(session, place.case, agency="school", due_at=T - timedelta(days=1))
    done = act(session, place.case, agency="camhs", due_at=T - timedelta(days=1), title="Done")
    work_on(session, accepted.id, actor_for(u["teacher"]), "accept", now=T)
    work_on(session, done.id, actor_for(u["camhs"]), "complete", "Seen twice.", now=T)
    session.commit()

    assert remind_overdue(session, now=T) == 1
    [email] = emails(session, "action-overdue:")
    assert email.to_address == "teacher@example.org"
    assert "Status: accepted\n" in email.body

    work_on(session, accepted.id, actor_for(u["teacher"]), "complete", "Done.", now=T)
    assert remind_overdue(session, now=T + timedelta(days=8)) == 0


def test_a_new_recipient_of_an_old_overdue_action_gets_a_first_reminder(
    session: Session, place: Place
) -> None:
    act(session, place.case, agency="camhs", due_at=T - timedelta(days=1))
    assert remind_overdue(session, now=T) == 1
    make_account(session, "camhs_practitioner", email="newcomer@example.org")
    session.flush()

    assert remind_overdue(session, now=T + timedelta(days=1)) == 1
    assert addresses(emails(session, "action-overdue:")) == [
        "camhs@example.org",
        "newcomer@example.org",
    ]


def test_iso_weeks_are_counted_in_london() -> None:
    # Sunday 29 March 2026, 23:30 UTC is already Monday 00:30 in London (summer time).
    assert iso_week(datetime(2026, 3, 29, 23, 30, tzinfo=UTC)) == "2026-W14"
    assert iso_week(datetime(2026, 3, 29, 22, 30, tzinfo=UTC)) == "2026-W13"


def test_two_reminder_runs_at_once_queue_each_reminder_once(
    db: Database, session: Session, place: Place
) -> None:
    for n in range(3):
        act(session, place.case, agency="school", due_at=T - timedelta(days=1), title=f"A{n}")
    session.commit()
    barrier = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            with db.transaction() as s:
                counts.append(remind_overdue(s, now=T))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(counts) == 9  # three actions, three people at the school
    session.expire_all()
    assert len(emails(session, "action-overdue:")) == 9


def test_panelflow_tick_queues_overdue_reminders_and_says_how_many(
    db: Database, session: Session, place: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", db.url)
    act(session, place.case, agency="camhs", due_at=utcnow() - timedelta(days=2), now=utcnow())
    act(session, place.case, agency="youth_service", due_at=utcnow() + timedelta(days=2))
    session.commit()

    first = CliRunner().invoke(cli.main, ["tick"])
    again = CliRunner().invoke(cli.main, ["tick"])

    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[-1] == "overdue actions: 1 reminder queued"
    assert again.stdout.splitlines()[-1] == "overdue actions: 0 reminders queued"
    session.expire_all()
    assert addresses(emails(session, "action-overdue:")) == ["camhs@example.org"]


# --- delivered -----------------------------------------------------------------------------


def test_emails_reach_the_smtp_server_with_the_link_and_no_pupil_name(
    db: Database, session: Session, place: Place, smtp_server: SmtpServer
) -> None:
    u = place.users
    panel_for(session, place.park, u["chair"])
    action = act(session, place.case, agency="camhs", due_at=T - timedelta(days=1))
    work_on(session, action.id, actor_for(u["camhs"]), "accept", now=T)
    remind_overdue(session, now=T)
    work_on(session, action.id, actor_for(u["camhs"]), "decline", "Moved to adult services.", now=T)
    session.commit()

    report = send_pending(db, settings=SmtpSettings.from_environment(smtp_server.environment()))

    assert (report.sent, report.failed, report.waiting) == (3, 0, 0)
    received = [
        (m["To"], m["Subject"], m.get_content().replace("\r\n", "\n")) for m in smtp_server.messages
    ]
    assert [(to, subject) for to, subject, _ in received] == [
        ("camhs@example.org", "New action for you: Assess for anxiety support"),
        ("camhs@example.org", "Action overdue: Assess for anxiety support"),
        ("chair@example.org", "Action declined: Assess for anxiety support"),
    ]
    links = [f"{BASE}/actions/{action.id}\n"] * 2 + [f"{BASE}/cases/{place.case.id}\n"]
    for (_, subject, body), link in zip(received, links, strict=True):
        assert link in body
        assert_no_personal_data(subject + body, place.pupil)
    assert "Moved to adult services." in received[2][2]


def assert_no_personal_data(text: str, pupil: Pupil) -> None:
    for value in (
        pupil.given_name,
        pupil.family_name,
        pupil.date_of_birth.isoformat(),
        f"{pupil.date_of_birth.day} {pupil.date_of_birth:%B %Y}",
        f"/pupils/{pupil.id}",
    ):
        assert value not in text


# --- the link ------------------------------------------------------------------------------


def test_links_start_with_the_configured_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    assert base_url() == BASE  # the trailing slash is dropped
    monkeypatch.delenv("PANELFLOW_BASE_URL")
    assert base_url() == config.DEFAULT_BASE_URL == "http://127.0.0.1:5000"


def test_in_the_app_links_follow_its_setting(db: Database) -> None:
    assert config.from_environment("instance")["BASE_URL"] == BASE
    app = create_app({"DATABASE_URL": db.url, "TESTING": True, "BASE_URL": "https://x.example"})
    try:
        with app.app_context():
            assert base_url() == "https://x.example"
    finally:
        app.extensions["panelflow.db"].dispose()
