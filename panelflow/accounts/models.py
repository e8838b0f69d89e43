"""User accounts, the roles they hold, and sign-in attempts (for throttling).

A user belongs to one agency (an agency key declared in the workflow file) in one local
authority, and to a school when the agency is a school. Roles are the workflow file's roles;
a user holds one or more of them. ``session_epoch`` is part of every session's identity:
raising it signs the user out everywhere at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panelflow.db import Base, utcnow
from panelflow.organisations.models import LocalAuthority, School, Team


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200))
    agency: Mapped[str] = mapped_column(String(100))
    local_authority_id: Mapped[int] = mapped_column(ForeignKey("local_authorities.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(300))  # None: single sign-on only
    active: Mapped[bool] = mapped_column(default=True)
    session_epoch: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime | None]
    last_signed_in_at: Mapped[datetime | None]

    local_authority: Mapped[LocalAuthority] = relationship()
    school: Mapped[School | None] = relationship()
    team: Mapped[Team | None] = relationship()
    role_assignments: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RoleAssignment.role"
    )

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(a.role for a in self.role_assignments)


class RoleAssignment(Base):
    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role", name="uq_role_assignments_user_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(100))
    granted_by: Mapped[str] = mapped_column(String(200))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="role_assignments")


class SignInAttempt(Base):
    """One attempt to sign in with a password: kept to throttle guessing."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (
        Index("ix_sign_in_attempts_email_at", "email", "at"),
        Index("ix_sign_in_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    email: Mapped[str] = mapped_column(String(320))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool]
