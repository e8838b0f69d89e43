"""Which schools a person's impact reports cover.

Panel chairs and attendance leads (school staff holding ``view_impact``) see their own
school. The local authority's roles that hold it (``la_admin``, ``ewo``) see every school of
their authority: that is the LA view, with a breakdown by school. Anyone else sees none. The
reports hold counts only, never a pupil, and small groups are withheld
(``panelflow.impact.suppression``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, select
from sqlalchemy.orm import Session

from panelflow.organisations.models import LocalAuthority, School
from panelflow.roles import Actor
from panelflow.roles.policy import SCHOOL_AGENCY, Permission, allowed

# Roles of the local authority whose reports cover all its schools.
AUTHORITY_ROLES = frozenset({"la_admin", "ewo"})


@dataclass(frozen=True)
class Scope:
    """The schools a report covers: one school, or every school of one authority."""

    name: str  # what the report is about, for headings: the school or the authority
    school_id: int | None = None
    local_authority_id: int | None = None

    @property
    def whole_authority(self) -> bool:
        return self.school_id is None

    def schools(self) -> ColumnElement[bool]:
        """A SQL condition on ``School`` true for the schools covered."""
        if self.school_id is not None:
            return School.id == self.school_id
        if self.local_authority_id is not None:
            return School.local_authority_id == self.local_authority_id
        return false()

    def described(self) -> dict[str, int | None]:
        """For audit records: which school or authority, by id."""
        return {"school_id": self.school_id, "local_authority_id": self.local_authority_id}


def impact_scope(session: Session, actor: Actor) -> Scope | None:
    """The schools ``actor``'s impact reports cover, or None if they may see none."""
    if not allowed(actor, Permission.VIEW_IMPACT):
        return None
    if actor.roles & AUTHORITY_ROLES and actor.local_authority_id is not None:
        authority = session.get(LocalAuthority, actor.local_authority_id)
        if authority is not None:
            return Scope(authority.name, local_authority_id=authority.id)
    if actor.agency == SCHOOL_AGENCY and actor.school_id is not None:
        name = session.scalar(select(School.name).where(School.id == actor.school_id))
        if name is not None:
            return Scope(name, school_id=actor.school_id)
    return None
