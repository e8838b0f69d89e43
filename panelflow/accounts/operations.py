"""Account operations: sign-in with throttling, sign-out everywhere, users and their roles.

Every operation takes the acting person explicitly and writes its audit record through
``audit.operations.log``; none commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from panelflow.accounts.models import RoleAssignment, SignInAttempt, User
from panelflow.accounts.passwords import hash_password, problems_with, verify_password
from panelflow.audit.operations import log
from panelflow.db import utcnow
from panelflow.organisations.models import LocalAuthority, School, Team
from panelflow.roles import Actor
from panelflow.workflows.definitions import WorkflowSet

ACCOUNT_LIMIT = 5  # failed sign-ins for one account...
ADDRESS_LIMIT = 20  # ...or from one address...
WINDOW = timedelta(minutes=15)  # ...within this window lock it for the rest of the window


class AccountError(ValueError):
    """An account change that cannot be made; the message says why, in words, and ``field``
    names what it is about (email, name, agency, school, roles, password), for forms."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


def actor_for(user: User) -> Actor:
    """The acting person for a signed-in user."""
    return Actor(
        id=f"user:{user.id}",
        name=user.name,
        roles=user.roles,
        agency=user.agency,
        user_id=user.id,
        school_id=user.school_id,
        local_authority_id=user.local_authority_id,
    )


ANONYMOUS_AGENCY = "none"


def _visitor(email: str) -> Actor:
    return Actor("anonymous", email or "(no email given)", frozenset(), ANONYMOUS_AGENCY)


@dataclass(frozen=True)
class SignIn:
    user: User | None
    message: str = ""  # why not, in words, when user is None

    @property
    def ok(self) -> bool:
        return self.user is not None


WRONG = "Enter a correct email address and password"


def _failures(
    session: Session, column: InstrumentedAttribute[str], value: str, since: datetime
) -> list[datetime]:
    return list(
        session.scalars(
            select(SignInAttempt.at)
            .where(column == value, SignInAttempt.succeeded.is_(False), SignInAttempt.at >= since)
            .order_by(SignInAttempt.at)
        )
    )


def _locked_until(
    session: Session, email: str, address: str, now: datetime
) -> tuple[str, datetime] | None:
    since = now - WINDOW
    by_account = _failures(session, SignInAttempt.email, email, since)
    if len(by_account) >= ACCOUNT_LIMIT:
        return "account", by_account[-ACCOUNT_LIMIT] + WINDOW
    by_address = _failures(session, SignInAttempt.address, address, since)
    if len(by_address) >= ADDRESS_LIMIT:
        return "address", by_address[-ADDRESS_LIMIT] + WINDOW
    return None


def sign_in(
    session: Session, email: str, password: str, address: str, *, now: datetime | None = None
) -> SignIn:
    """Check a password sign-in, throttled per account and per address; audited."""
    now = now or utcnow()
    email = normalise_email(email)
    locked = _locked_until(session, email, address, now)
    if locked is not None:
        kind, until = locked
        log(
            session,
            _visitor(email),
            "account.sign_in_locked",
            f"sign-in refused: {kind} locked",
            details={"email": email, "address": address, "until": until.isoformat()},
            at=now,
        )
        when = until.strftime("%H:%M")
        if kind == "account":
            return SignIn(
                None,
                f"This account is locked for 15 minutes after {ACCOUNT_LIMIT} "
                f"failed attempts to sign in. Try again after {when}, or ask your "
                "local authority administrator to reset your password.",
            )
        return SignIn(
            None,
            f"There have been too many failed attempts to sign in from your "
            f"network. Try again after {when}.",
        )
    user = session.scalars(select(User).where(User.email == email)).first()
    ok = verify_password(user.password_hash if user else None, password)
    ok = ok and user is not None and user.active
    session.add(SignInAttempt(at=now, email=email, address=address, succeeded=ok))
    if not ok or user is None:
        log(
            session,
            _visitor(email),
            "account.sign_in_failed",
            "sign-in failed",
            details={"email": email, "address": address},
            at=now,
        )
        return SignIn(None, WRONG)
    user.last_signed_in_at = now
    log(
        session,
        actor_for(user),
        "account.sign_in",
        "signed in with a password",
        details={"address": address, "method": "password"},
        at=now,
    )
    return SignIn(user)


def sign_in_with_sso(
    session: Session, email: str, email_verified: bool, subject: str, issuer: str, address: str
) -> SignIn:
    """Link a single sign-on identity to a pre-provisioned account by its verified email."""
    email = normalise_email(email)
    user = session.scalars(select(User).where(User.email == email)).first() if email else None
    if not email_verified or user is None or not user.active:
        reason = "email not verified" if not email_verified else "no active account"
        log(
            session,
            _visitor(email),
            "account.sso_refused",
            f"single sign-on refused: {reason}",
            details={"email": email, "issuer": issuer, "subject": subject, "address": address},
        )
        return SignIn(None, reason)
    user.last_signed_in_at = utcnow()
    log(
        session,
        actor_for(user),
        "account.sign_in",
        "signed in with single sign-on",
        details={"address": address, "method": "sso", "issuer": issuer},
    )
    return SignIn(user)


def refuse_sso(session: Session, *, reason: str, address: str) -> None:
    """Record a single sign-on response that could not be trusted (forged, expired...)."""
    log(
        session,
        _visitor(""),
        "account.sso_refused",
        "single sign-on refused: the response could not be trusted",
        details={"reason": reason, "address": address},
    )


def sign_out_everywhere(session: Session, user: User) -> None:
    """End every session of this user, on every device."""
    user.session_epoch += 1
    log(session, actor_for(user), "account.sign_out_everywhere", "signed out everywhere")


def create_user(
    session: Session,
    actor: Actor,
    definitions: WorkflowSet,
    *,
    email: str,
    name: str,
    agency: str,
    local_authority: LocalAuthority,
    school: School | None = None,
    roles: tuple[str, ...] = (),
    password: str | None = None,
) -> User:
    """Provision an account (no self-registration: an administrator or the CLI does this)."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 320:
        raise AccountError(
            "Enter an email address in the correct format, like name@example.org", field="email"
        )
    if not name.strip():
        raise AccountError("Enter the person's full name", field="name")
    if agency not in definitions.agencies:
        raise AccountError(
            f"'{agency}' is not an agency of the published workflows", field="agency"
        )
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise AccountError(f"There is already an account for {email}", field="email")
    if agency == "school" and school is None:
        raise AccountError("Choose the school this person works at", field="school")
    user = User(
        email=email,
        name=name.strip(),
        agency=agency,
        local_authority_id=local_authority.id,
        school_id=school.id if school else None,
    )
    if password is not None:
        problems = problems_with(password, email, name)
        if problems:
            raise AccountError(problems[0], field="password")
        user.password_hash = hash_password(password)
        user.password_changed_at = utcnow()
    session.add(user)
    session.flush()
    log(
        session,
        actor,
        "account.create",
        f"created the account of {name.strip()}",
        details={"user": user.id, "email": email, "agency": agency, "school": user.school_id},
    )
    for role in roles:
        assign_role(session, actor, definitions, user, role)
    return user


def assign_role(
    session: Session, actor: Actor, definitions: WorkflowSet, user: User, role: str
) -> RoleAssignment:
    declared = definitions.roles.get(role)
    if declared is None:
        raise AccountError(f"'{role}' is not a role of the published workflows", field="roles")
    if declared.agency != user.agency:
        raise AccountError(
            f"{declared.label} is a role of {definitions.agency_label(declared.agency)}, but "
            f"{user.name} works for {definitions.agency_label(user.agency)}",
            field="roles",
        )
    if role in user.roles:
        raise AccountError(f"{user.name} already holds the role {declared.label}", field="roles")
    assignment = RoleAssignment(user=user, role=role, granted_by=actor.name)
    session.add(assignment)
    session.flush()
    log(
        session,
        actor,
        "account.role_granted",
        f"granted {declared.label} to {user.name}",
        details={"user": user.id, "role": role},
    )
    return assignment


def set_password(session: Session, actor: Actor, user: User, password: str) -> None:
    problems = problems_with(password, user.email, user.name)
    if problems:
        raise AccountError(problems[0], field="password")
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.session_epoch += 1  # a new password ends every existing session
    log(
        session,
        actor,
        "account.password_set",
        f"set the password of {user.name}",
        details={"user": user.id},
    )


ADMIN_ROLE = "la_admin"


def revoke_role(session: Session, actor: Actor, user: User, role: str) -> None:
    """Take a role away from a user; an administrator cannot take away their own."""
    assignment = next((a for a in user.role_assignments if a.role == role), None)
    if assignment is None:
        raise AccountError(f"{user.name} does not hold that role")
    if role == ADMIN_ROLE and actor.user_id == user.id:
        raise AccountError(
            "You cannot remove your own administrator role: ask another administrator"
        )
    user.role_assignments.remove(assignment)
    session.flush()
    log(
        session,
        actor,
        "account.role_revoked",
        f"removed the role {role} from {user.name}",
        details={"user": user.id, "role": role},
    )


def set_active(session: Session, actor: Actor, user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends every session it has, at once."""
    if user.active == active:
        state = "active" if active else "disabled"
        raise AccountError(f"The account of {user.name} is already {state}")
    if not active and actor.user_id == user.id:
        raise AccountError("You cannot disable your own account: ask another administrator")
    user.active = active
    if not active:
        user.session_epoch += 1
    log(
        session,
        actor,
        "account.enabled" if active else "account.disabled",
        f"{'enabled' if active else 'disabled'} the account of {user.name}",
        details={"user": user.id},
    )


def create_team(
    session: Session,
    actor: Actor,
    definitions: WorkflowSet,
    local_authority_id: int,
    agency: str,
    name: str,
) -> Team:
    """A new team within one agency of a local authority."""
    name = " ".join(name.split())
    if not name:
        raise AccountError("Enter a name for the team", field="name")
    if len(name) > 200:
        raise AccountError("The team's name must be 200 characters or fewer", field="name")
    if agency not in definitions.agencies:
        raise AccountError("Choose the agency the team belongs to", field="agency")
    taken = session.scalar(
        select(func.count())
        .select_from(Team)
        .where(Team.local_authority_id == local_authority_id, Team.name == name)
    )
    if taken:
        raise AccountError(f"There is already a team called {name}", field="name")
    team = Team(local_authority_id=local_authority_id, agency=agency, name=name)
    session.add(team)
    session.flush()
    log(
        session,
        actor,
        "account.team_created",
        f"created the team {name}",
        details={"team": team.id, "agency": agency},
    )
    return team


def set_team(session: Session, actor: Actor, user: User, team: Team | None) -> None:
    """Put a person in a team of their own agency and authority, or in none."""
    if team is not None and (
        team.agency != user.agency or team.local_authority_id != user.local_authority_id
    ):
        raise AccountError(f"{team.name} is not a team of {user.name}'s agency", field="team")
    if (team is None and user.team_id is None) or (team is not None and team.id == user.team_id):
        return
    user.team_id = team.id if team is not None else None
    log(
        session,
        actor,
        "account.team_set",
        f"put {user.name} in {team.name}" if team else f"took {user.name} out of their team",
        details={"user": user.id, "team": team.id if team else None},
    )
