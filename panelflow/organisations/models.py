"""Schools and the pupils on their rolls."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panelflow.db import Base, utcnow

PUPIL_ATTRIBUTES = (
    "looked_after",
    "previously_looked_after",
    "has_social_worker",
    "has_ehcp",
    "has_send",
    "free_school_meals",
)


class LocalAuthority(Base):
    """A local authority: its schools, its agencies' staff and its workflows."""

    __tablename__ = "local_authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)

    schools: Mapped[list[School]] = relationship(back_populates="local_authority")


class Team(Base):
    """A team within one agency of a local authority (an EWO team for the north of the
    borough, a CAMHS locality team): how a service organises its people."""

    __tablename__ = "teams"
    __table_args__ = (
        UniqueConstraint("local_authority_id", "name", name="uq_teams_local_authority_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    local_authority_id: Mapped[int] = mapped_column(ForeignKey("local_authorities.id"), index=True)
    agency: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))


class School(Base):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    urn: Mapped[str | None] = mapped_column(String(20), unique=True)
    local_authority_id: Mapped[int | None] = mapped_column(
        ForeignKey("local_authorities.id"), index=True
    )

    local_authority: Mapped[LocalAuthority | None] = relationship(back_populates="schools")

    pupils: Mapped[list[Pupil]] = relationship(back_populates="school")


class Pupil(Base):
    __tablename__ = "pupils"
    __table_args__ = (CheckConstraint("year_group BETWEEN -1 AND 14", name="year_group_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date]
    year_group: Mapped[int]
    upn: Mapped[str | None] = mapped_column(String(13), unique=True)
    looked_after: Mapped[bool] = mapped_column(default=False)
    previously_looked_after: Mapped[bool] = mapped_column(default=False)
    has_social_worker: Mapped[bool] = mapped_column(default=False)
    has_ehcp: Mapped[bool] = mapped_column(default=False)
    has_send: Mapped[bool] = mapped_column(default=False)
    free_school_meals: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    school: Mapped[School] = relationship(back_populates="pupils")

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def attributes(self) -> dict[str, bool]:
        return {name: bool(getattr(self, name)) for name in PUPIL_ATTRIBUTES}
