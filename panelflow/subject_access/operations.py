"""Who may export what is held about a pupil, the request's reference, and the audit record.

An export needs the ``export`` permission and sight of the pupil (``view_pupils``, and the
pupil within ``pupil_scope``), as any record of a pupil does. It also needs sight of *every*
case of the pupil (``case_scope``): the export holds all of them, so someone who sees only
some (an agency asked to help on one case, or a virtual school head whose view comes from
an action rather than the pupil's flags) would otherwise read cases they may not see, and
an export cut down to their view would not answer the request. In practice the school's
panel chair or attendance lead answers, or the virtual school head for a pupil it follows.

Each export is audited with who, the pupil's id, the request's reference and how many
records of each kind it held: no names, no free text.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from panelflow.audit.operations import log
from panelflow.cases.models import Case
from panelflow.db import utcnow
from panelflow.organisations.models import Pupil
from panelflow.roles import Actor
from panelflow.roles.policy import Permission, allowed, case_scope, pupil_scope
from panelflow.subject_access import render
from panelflow.subject_access.gather import SCHEMA_VERSION, held_about

REFERENCE_LIMIT = 60
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 /._-]*")


class ReferenceProblem(ValueError):
    """The request's reference cannot be used; the message says why, in plain words."""


class PartialView(PermissionError):
    """The person sees the pupil but not every one of their cases."""


def may_try(actor: Actor) -> bool:
    """Whether the person's roles allow subject access exports at all."""
    return allowed(actor, Permission.EXPORT) and allowed(actor, Permission.VIEW_PUPILS)


def visible_pupil(session: Session, actor: Actor, pupil_id: int) -> Pupil | None:
    return session.scalar(select(Pupil).where(Pupil.id == pupil_id, pupil_scope(actor)))


def sees_every_case(session: Session, actor: Actor, pupil_id: int) -> bool:
    every = set(session.scalars(select(Case.id).where(Case.pupil_id == pupil_id)))
    seen = set(session.scalars(select(Case.id).where(Case.pupil_id == pupil_id, case_scope(actor))))
    return every <= seen


def may_export(session: Session, actor: Actor, pupil_id: int) -> bool:
    """For the pupil's page: whether to offer the export."""
    return (
        may_try(actor)
        and visible_pupil(session, actor, pupil_id) is not None
        and sees_every_case(session, actor, pupil_id)
    )


def checked_reference(text: str, pupil: Pupil) -> str:
    """The reference, tidied; ``ReferenceProblem`` if it is missing or unusable. It goes into
    the audit trail, so it may not hold the pupil's name."""
    reference = " ".join((text or "").split())
    if not reference:
        raise ReferenceProblem("Enter the reference of the subject access request")
    if len(reference) > REFERENCE_LIMIT:
        raise ReferenceProblem(
            f"The reference must be {REFERENCE_LIMIT} characters or fewer; "
            f"this one is {len(reference)}"
        )
    if not _REFERENCE.fullmatch(reference):
        raise ReferenceProblem(
            "The reference can only use letters, numbers, spaces and the characters "
            "/ . _ - (and must start with a letter or number)"
        )
    words = {w.lower() for w in re.split(r"[ /._-]+", reference)}
    if {pupil.given_name.lower(), pupil.family_name.lower()} & words:
        raise ReferenceProblem(
            "The reference must not include the pupil's name, because it is kept in the "
            "audit trail; use the number your data protection officer gave the request"
        )
    return reference


def export(
    session: Session,
    actor: Actor,
    pupil_id: int,
    reference: str,
    html: render.RenderHtml,
    *,
    now: datetime | None = None,
) -> render.Package:
    """Everything held about the pupil, as a zip, and its audit record (in the caller's
    transaction: the caller commits, then sends the file).

    Raises ``PermissionError`` (the person's roles do not allow it, or ``PartialView``),
    ``LookupError`` (the pupil is outside their need-to-know), ``ReferenceProblem``, or
    ``documents.DocumentUnavailable`` (no PDFs on this server).
    """
    if not may_try(actor):
        raise PermissionError("subject access needs the export and view_pupils permissions")
    pupil = visible_pupil(session, actor, pupil_id)
    if pupil is None:
        raise LookupError(pupil_id)
    if not sees_every_case(session, actor, pupil.id):
        raise PartialView(pupil.id)
    reference = checked_reference(reference, pupil)
    now = now or utcnow()
    held = held_about(session, pupil.id)
    made = render.package(held, reference, now, html)
    total = sum(made.counts.values())
    try:
        _audit(session, actor, pupil.id, reference, made, held.upto_seq, total, now)
    except BaseException:
        made.file.close()
        raise
    return made


def _audit(
    session: Session,
    actor: Actor,
    pupil_id: int,
    reference: str,
    made: render.Package,
    upto_seq: int,
    total: int,
    now: datetime,
) -> None:
    log(
        session,
        actor,
        "export.subject_access",
        f"exported everything held about a pupil ({total} records) for a subject access request",
        pupil_id=pupil_id,
        details={
            "reference": reference,
            "counts": made.counts,
            "schema_version": SCHEMA_VERSION,
            "audit_up_to_record": upto_seq,
        },
        at=now,
    )
