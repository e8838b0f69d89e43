"""Asking for a second sign-off, giving it, refusing it, withdrawing it; a request that has
gone out of date; conditions checked again when it is signed off; need-to-know."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.audit.models import AuditRecord
from panelflow.audit.operations import verify
from panelflow.cases.models import Case, CaseEvent, CaseTimer
from panelflow.cases.operations import Fired, fire
from panelflow.notify.models import OutgoingEmail
from panelflow.signoffs.models import SignOffRequest
from panelflow.signoffs.operations import (
    SignOffError,
    ask,
    asked_by,
    refuse,
    sign_off,
    take,
    waiting_for,
    withdraw,
)
from panelflow.workflows.engine import Refused
from tests.signoffs.conftest import CONCERN, PENALTY, Formal


def _ask(session: Session, formal: Formal, who: str = "ed") -> SignOffRequest:
    request = take(session, formal.case, "issue_penalty_notice", formal.actor(who), PENALTY)
    assert isinstance(request, SignOffRequest), request
    session.commit()
    return request


def _audit(session: Session, action: str) -> list[AuditRecord]:
    return list(
        session.scalars(
            select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.seq)
        )
    )


def _state(session: Session, formal: Formal) -> str:
    session.expire_all()
    case = session.get(Case, formal.case.id)
    assert case is not None
    return case.state


def test_asking_stores_the_request_moves_nothing_and_emails_who_can_sign_it_off(
    session: Session, formal: Formal
) -> None:
    version = formal.case.lock_version

    request = _ask(session, formal)

    assert request.status == "waiting"
    assert (request.trigger, request.asked_by_name, request.asked_role) == (
        "issue_penalty_notice",
        "Ed Okoro",
        "ewo",
    )
    assert request.fields == PENALTY
    assert request.case_version == version
    assert _state(session, formal) == "considering"
    assert session.get(Case, formal.case.id).lock_version == version  # type: ignore[union-attr]
    [asked] = _audit(session, "signoff.ask")
    assert asked.actor_name == "Ed Okoro" and asked.details["request"] == request.id
    emails = session.scalars(
        select(OutgoingEmail).where(OutgoingEmail.dedupe_key.like("sign-off:%"))
    ).all()
    assert [e.to_address for e in emails] == [formal.users["erin"].email]  # not Ed, nor Sefton
    assert emails[0].subject == "Waiting for your sign-off: Issue a penalty notice"
    assert "Alex" not in emails[0].body and f"/sign-offs/{request.id}" in emails[0].body


def test_a_person_cannot_take_a_step_needing_a_sign_off_directly(
    session: Session, formal: Formal
) -> None:
    result = fire(formal.case, "issue_penalty_notice", formal.actor("ed"), PENALTY)

    assert isinstance(result, Refused)
    assert result.message == (
        "'Issue a penalty notice' needs a second person's sign-off "
        "(Education welfare officer (EWO)) before it is taken"
    )
    same = fire(
        formal.case,
        "issue_penalty_notice",
        formal.actor("ed"),
        PENALTY,
        signed_off_by=formal.actor("ed"),
    )
    assert isinstance(same, Refused) and "someone other than the person who asked" in same.message
    by_lead = fire(
        formal.case,
        "issue_penalty_notice",
        formal.actor("ed"),
        PENALTY,
        signed_off_by=formal.actor("lead"),
    )
    assert isinstance(by_lead, Refused)
    assert by_lead.message == (
        "'Issue a penalty notice' can only be signed off by Education welfare officer (EWO)"
    )


def test_asking_checks_the_step_as_taking_it_would(session: Session, formal: Formal) -> None:
    refused = take(
        session, formal.case, "issue_penalty_notice", formal.actor("ed"), {"formal_reason": "x"}
    )

    assert isinstance(refused, Refused)
    assert [r.kind for r in refused.reasons] == ["missing_field"]
    assert session.scalars(select(SignOffRequest)).all() == []


def test_signing_off_takes_the_step_once_and_records_both_people(
    session: Session, formal: Formal
) -> None:
    request = _ask(session, formal)
    asker = formal.users["ed"].email

    result = sign_off(session, formal.actor("erin"), request.id)
    session.commit()

    assert isinstance(result, Fired)
    assert _state(session, formal) == "penalty_notice"
    [event] = session.scalars(
        select(CaseEvent).where(CaseEvent.trigger == "issue_penalty_notice")
    ).all()
    assert (event.actor_name, event.role) == ("Ed Okoro", "ewo")
    assert (event.signed_off_by_name, event.signed_off_role) == ("Erin Walsh", "ewo")
    assert event.fields == PENALTY
    [taken] = [
        r
        for r in _audit(session, "case.transition")
        if r.details["trigger"] == "issue_penalty_notice"
    ]
    assert taken.actor_name == "Ed Okoro"
    assert taken.details["signed_off_by_name"] == "Erin Walsh"
    assert taken.summary.endswith("; signed off by Erin Walsh")
    [given] = _audit(session, "signoff.give")
    assert given.actor_name == "Erin Walsh" and given.details["event"] == event.id
    stored = session.get(SignOffRequest, request.id)
    assert stored is not None
    assert (stored.status, stored.decided_by_name, stored.event_id) == (
        "signed_off",
        "Erin Walsh",
        event.id,
    )
    timers = session.scalars(
        select(CaseTimer.state).where(
            CaseTimer.case_id == formal.case.id, CaseTimer.status == "pending"
        )
    ).all()
    assert timers == ["penalty_notice"]
    with pytest.raises(SignOffError, match="This request has been signed off already"):
        sign_off(session, formal.actor("erin"), request.id)
    assert verify(session).intact
    [told] = _decided_emails(session)
    assert told.to_address == asker
    assert told.subject == "Sign-off signed off: Issue a penalty notice"
    assert "Erin Walsh" in told.body and "taken in your name" in told.body
    assert "Alex" not in told.body and f"/sign-offs/{request.id}" in told.body


def _decided_emails(session: Session) -> list[OutgoingEmail]:
    return list(
        session.scalars(
            select(OutgoingEmail).where(OutgoingEmail.dedupe_key.like("sign-off-decided:%"))
        )
    )


def test_nobody_signs_off_their_own_request_and_only_the_sign_off_roles_may(
    session: Session, formal: Formal
) -> None:
    request = _ask(session, formal)

    with pytest.raises(SignOffError) as own:
        sign_off(session, formal.actor("ed"), request.id)
    assert own.value.message == (
        "You asked for this step, so you cannot sign it off; someone else must sign it off"
    )
    with pytest.raises(SignOffError) as lead:
        sign_off(session, formal.actor("lead"), request.id)
    assert lead.value.message == (
        "'Issue a penalty notice' can only be signed off or refused by "
        "Education welfare officer (EWO)"
    )
    session.rollback()
    assert _state(session, formal) == "considering"


def test_a_request_outside_need_to_know_is_not_found(session: Session, formal: Formal) -> None:
    request = _ask(session, formal)

    for who in ("far", "cara"):
        with pytest.raises(LookupError):
            sign_off(session, formal.actor(who), request.id)
        with pytest.raises(LookupError):
            refuse(session, formal.actor(who), request.id, "No")
    assert waiting_for(session, formal.actor("far")) == []


def test_the_request_waits_for_the_right_people(session: Session, formal: Formal) -> None:
    request = _ask(session, formal)

    assert [p.request.id for p in waiting_for(session, formal.actor("erin"))] == [request.id]
    assert waiting_for(session, formal.actor("ed")) == []  # their own
    assert waiting_for(session, formal.actor("lead")) == []  # not a sign-off role
    assert [p.request.id for p in asked_by(session, formal.actor("ed"))] == [request.id]


def test_a_refusal_needs_a_reason_and_leaves_the_case_where_it_is(
    session: Session, formal: Formal
) -> None:
    request = _ask(session, formal)

    with pytest.raises(SignOffError) as blank:
        refuse(session, formal.actor("erin"), request.id, "  ")
    assert (blank.value.message, blank.value.field) == (
        "Say why you are refusing to sign it off",
        "reason",
    )
    with pytest.raises(SignOffError, match="withdraw it instead"):
        refuse(session, formal.actor("ed"), request.id, "Changed my mind")
    refused = refuse(session, formal.actor("erin"), request.id, "No attendance figures yet")
    session.commit()

    assert (refused.status, refused.reason, refused.decided_by_name) == (
        "refused",
        "No attendance figures yet",
        "Erin Walsh",
    )
    assert _state(session, formal) == "considering"
    [record] = _audit(session, "signoff.refuse")
    assert record.details["reason"] == "No attendance figures yet"
    [told] = _decided_emails(session)  # the asker, who reads the reason on the request
    assert (told.to_address, told.subject) == (
        formal.users["ed"].email,
        "Sign-off refused: Issue a penalty notice",
    )
    assert "No attendance figures" not in told.body and "Alex" not in told.body
    with pytest.raises(SignOffError, match="has been refused already"):
        sign_off(session, formal.actor("erin"), request.id)


def test_only_the_asker_withdraws(session: Session, formal: Formal) -> None:
    request = _ask(session, formal)

    with pytest.raises(SignOffError, match="Only the person who asked"):
        withdraw(session, formal.actor("erin"), request.id)
    withdrawn = withdraw(session, formal.actor("ed"), request.id, "Family now engaging")
    session.commit()

    assert withdrawn.status == "withdrawn"
    assert _audit(session, "signoff.withdraw")[0].actor_name == "Ed Okoro"
    again = _ask(session, formal)  # a new request may now be made
    assert again.id != request.id


def test_one_request_at_a_time_on_a_case(session: Session, formal: Formal) -> None:
    _ask(session, formal)

    second = take(session, formal.case, "issue_penalty_notice", formal.actor("lead"), PENALTY)

    assert isinstance(second, Refused)
    assert second.reasons[0].kind == "conflict"
    assert "asked for by Ed Okoro" in second.message
    assert "is already waiting for a sign-off on this case" in second.message


def test_a_request_goes_out_of_date_when_the_case_moves_on(
    session: Session, formal: Formal
) -> None:
    request = _ask(session, formal)
    assert isinstance(
        fire(formal.case, "refer_to_social_care", formal.actor("tess"), CONCERN), Fired
    )
    session.commit()

    assert waiting_for(session, formal.actor("erin")) == []
    result = sign_off(session, formal.actor("erin"), request.id)
    session.commit()

    assert isinstance(result, Refused) and result.reasons[0].kind == "stale"
    assert result.message.startswith("the case has changed since this step was asked for")
    session.expire_all()
    assert session.get(SignOffRequest, request.id).status == "stale"  # type: ignore[union-attr]
    assert _state(session, formal) == "with_social_care"
    assert (
        session.scalar(select(CaseEvent.id).where(CaseEvent.trigger == "issue_penalty_notice"))
        is None
    )


def test_conditions_are_checked_again_when_it_is_signed_off(
    session: Session, formal: Formal
) -> None:
    request = _ask(session, formal)
    formal.pupil.looked_after = True
    session.commit()

    result = sign_off(session, formal.actor("erin"), request.id)

    assert isinstance(result, Refused)
    assert result.message == "not while the pupil is recorded as looked after"
    session.rollback()
    assert session.get(SignOffRequest, request.id).status == "waiting"  # type: ignore[union-attr]
    assert _state(session, formal) == "considering"


def test_ask_is_only_for_steps_that_need_a_sign_off(session: Session, formal: Formal) -> None:
    with pytest.raises(ValueError, match="needs no sign-off"):
        ask(session, formal.case, "refer_to_social_care", formal.actor("ed"), CONCERN)
    # take() simply takes such a step
    assert isinstance(
        take(session, formal.case, "refer_to_social_care", formal.actor("ed"), CONCERN), Fired
    )
