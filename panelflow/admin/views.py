"""Administering accounts in the web UI: the list, a new account, one account's page.

Only people holding ``MANAGE_USERS`` (LA administrators) get here, and only for accounts of
their own local authority: the list is filtered in SQL, and any other account answers 404
through ``not_found_for`` (audited), so its existence does not leak. Each POST view has the
same shape: load (404), validate the form, call one operation, commit once, redirect; a
refusal (``AccountError``) is rolled back and shown on the form, with status 400.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from panelflow import web
from panelflow.accounts.forms import ConfirmForm
from panelflow.accounts.models import User
from panelflow.accounts.operations import (
    AccountError,
    assign_role,
    create_team,
    create_user,
    revoke_role,
    set_active,
    set_password,
    set_team,
)
from panelflow.admin.forms import (
    GrantRoleForm,
    NewPasswordForm,
    SetTeamForm,
    grant_role_form,
    new_account_form,
    new_password_form,
    search_form,
    set_team_form,
    team_form,
)
from panelflow.catalogue.operations import engine_for, live_version
from panelflow.organisations.models import LocalAuthority, School, Team
from panelflow.roles import roles_for_agency
from panelflow.roles.policy import Permission
from panelflow.roles.views import current_actor, not_found_for, require
from panelflow.workflows.definitions import WorkflowSet

bp = Blueprint("admin", __name__, url_prefix="/admin")

NOTHING_PUBLISHED = "No workflows are published yet, so there are no agencies or roles to give"


def _definitions() -> WorkflowSet | None:
    live = live_version(web.session())
    return engine_for(live).definitions if live else None


def _schools() -> Sequence[School]:
    return (
        web.session()
        .scalars(
            select(School)
            .where(School.local_authority_id == current_actor().local_authority_id)
            .order_by(School.name)
        )
        .all()
    )


def _account_or_404(user_id: int) -> User:
    """An account of the administrator's local authority; any other answers 404 (audited)."""
    actor = current_actor()
    user = web.session().scalar(
        select(User).where(User.id == user_id, User.local_authority_id == actor.local_authority_id)
    )
    if user is None:
        not_found_for(actor, Permission.MANAGE_USERS, user=user_id)
    return user


def _grantable(user: User, definitions: WorkflowSet | None) -> list[tuple[str, str]]:
    if definitions is None:
        return []
    return [
        (role, definitions.role_label(role))
        for role in roles_for_agency(definitions, user.agency)
        if role not in user.roles
    ]


@bp.get("/users")
@require(Permission.MANAGE_USERS)
def users() -> ResponseReturnValue:
    actor = current_actor()
    search = search_form()
    q = (search.q.data or "").strip()[:200]
    query = (
        select(User)
        .where(User.local_authority_id == actor.local_authority_id)
        .options(selectinload(User.role_assignments), selectinload(User.school))
        .order_by(User.name, User.id)
    )
    if q:
        query = query.where(
            or_(User.name.icontains(q, autoescape=True), User.email.icontains(q, autoescape=True))
        )
    definitions = _definitions()
    return render_template(
        "admin/users.html",
        accounts=web.session().scalars(query).all(),
        search=search,
        q=q,
        authority=web.session().get(LocalAuthority, actor.local_authority_id),
        role_label=definitions.role_label if definitions else str,
        agency_label=definitions.agency_label if definitions else str,
    )


@bp.route("/users/new", methods=["GET", "POST"])
@require(Permission.MANAGE_USERS)
def new_user() -> ResponseReturnValue:
    definitions = _definitions()
    if definitions is None:
        return render_template("admin/new_user.html", form=None, problem=NOTHING_PUBLISHED)
    session = web.session()
    actor = current_actor()
    schools = _schools()
    form = new_account_form(definitions, schools)
    if form.validate_on_submit():
        school = next((s for s in schools if str(s.id) == form.school.data), None)
        try:
            user = create_user(
                session,
                actor,
                definitions,
                email=form.email.data or "",
                name=form.name.data or "",
                agency=form.agency.data or "",
                local_authority=session.get_one(LocalAuthority, actor.local_authority_id),
                school=school,
                roles=tuple(form.roles.data or ()),
                password=form.password.data or None,
            )
        except AccountError as error:
            session.rollback()
            form.show(error)
        else:
            session.commit()
            flash(f"Account created for {user.name}", "success")
            return redirect(url_for("admin.user", user_id=user.id))
    status = 400 if form.errors else 200
    role_items = [
        {"hint": {"text": definitions.agency_label(role.agency)}}
        for role in definitions.roles.values()
    ]
    return render_template("admin/new_user.html", form=form, role_items=role_items), status


def _user_page(
    user: User,
    *,
    grant: GrantRoleForm | None = None,
    reset: NewPasswordForm | None = None,
    team_choice: SetTeamForm | None = None,
    problem: dict[str, str] | None = None,
) -> ResponseReturnValue:
    definitions = _definitions()
    grant = grant or grant_role_form(_grantable(user, definitions))
    reset = reset or new_password_form()
    team_choice = team_choice or set_team_form(
        [(str(t.id), t.name) for t in _teams(user.agency)], user.team_id
    )
    failed = bool(problem or grant.errors or reset.errors or team_choice.errors)
    return render_template(
        "admin/user.html",
        account=user,
        grant=grant,
        reset=reset,
        team_choice=team_choice,
        problems=[problem] if problem else [],
        itself=user.id == current_actor().user_id,
        role_label=definitions.role_label if definitions else str,
        agency_label=definitions.agency_label if definitions else str,
    ), (400 if failed else 200)


@bp.get("/users/<int:user_id>")
@require(Permission.MANAGE_USERS)
def user(user_id: int) -> ResponseReturnValue:
    return _user_page(_account_or_404(user_id))


@bp.post("/users/<int:user_id>/roles")
@require(Permission.MANAGE_USERS)
def grant_role(user_id: int) -> ResponseReturnValue:
    account = _account_or_404(user_id)
    definitions = _definitions()
    form = grant_role_form(_grantable(account, definitions))
    if form.validate_on_submit():
        role = form.role.data or ""
        try:
            if definitions is None:
                raise AccountError(NOTHING_PUBLISHED)
            assign_role(web.session(), current_actor(), definitions, account, role)
        except AccountError as error:
            web.session().rollback()
            form.role.errors = [str(error)]
        else:
            web.session().commit()
            flash(f"{definitions.role_label(role)} granted to {account.name}", "success")
            return redirect(url_for("admin.user", user_id=account.id))
    return _user_page(account, grant=form)


@bp.post("/users/<int:user_id>/roles/<role>/remove")
@require(Permission.MANAGE_USERS)
def remove_role(user_id: int, role: str) -> ResponseReturnValue:
    account = _account_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    definitions = _definitions()
    label = definitions.role_label(role) if definitions else role
    try:
        revoke_role(web.session(), current_actor(), account, role)
    except AccountError as error:
        web.session().rollback()
        return _user_page(account, problem={"text": str(error), "href": "#roles"})
    web.session().commit()
    flash(f"{label} removed from {account.name}", "success")
    return redirect(url_for("admin.user", user_id=account.id))


def _change_active(user_id: int, active: bool) -> ResponseReturnValue:
    account = _account_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        set_active(web.session(), current_actor(), account, active)
    except AccountError as error:
        web.session().rollback()
        return _user_page(account, problem={"text": str(error), "href": "#status"})
    web.session().commit()
    if active:
        flash(f"The account of {account.name} is enabled: they can sign in again", "success")
    else:
        flash(
            f"The account of {account.name} is disabled: they have been signed out "
            "everywhere and cannot sign in",
            "success",
        )
    return redirect(url_for("admin.user", user_id=account.id))


@bp.post("/users/<int:user_id>/disable")
@require(Permission.MANAGE_USERS)
def disable(user_id: int) -> ResponseReturnValue:
    return _change_active(user_id, False)


@bp.post("/users/<int:user_id>/enable")
@require(Permission.MANAGE_USERS)
def enable(user_id: int) -> ResponseReturnValue:
    return _change_active(user_id, True)


@bp.post("/users/<int:user_id>/password")
@require(Permission.MANAGE_USERS)
def new_password(user_id: int) -> ResponseReturnValue:
    account = _account_or_404(user_id)
    form = new_password_form()
    if form.validate_on_submit():
        try:
            set_password(web.session(), current_actor(), account, form.password.data or "")
        except AccountError as error:
            web.session().rollback()
            form.password.errors = [str(error)]
        else:
            web.session().commit()
            flash(
                f"New password set for {account.name}: they have been signed out everywhere",
                "success",
            )
            return redirect(url_for("admin.user", user_id=account.id))
    return _user_page(account, reset=form)


def _teams(agency: str | None = None) -> Sequence[Team]:
    query = select(Team).where(Team.local_authority_id == current_actor().local_authority_id)
    if agency is not None:
        query = query.where(Team.agency == agency)
    return web.session().scalars(query.order_by(Team.agency, Team.name)).all()


@bp.route("/teams", methods=["GET", "POST"])
@require(Permission.MANAGE_USERS)
def teams() -> ResponseReturnValue:
    definitions = _definitions()
    form = team_form(list(definitions.agencies.items()) if definitions else [])
    if form.validate_on_submit():
        try:
            if definitions is None:
                raise AccountError(NOTHING_PUBLISHED)
            team = create_team(
                web.session(),
                current_actor(),
                definitions,
                current_actor().local_authority_id or 0,
                form.agency.data or "",
                form.name.data or "",
            )
        except AccountError as error:
            web.session().rollback()
            getattr(form, error.field or "name", form.name).errors = [str(error)]
        else:
            web.session().commit()
            flash(f"Team {team.name} created", "success")
            return redirect(url_for("admin.teams"))
    members = dict(
        web.session()
        .execute(
            select(User.team_id, func.count())
            .where(
                User.local_authority_id == current_actor().local_authority_id,
                User.team_id.is_not(None),
            )
            .group_by(User.team_id)
        )
        .all()
    )
    status = 400 if form.errors else 200
    return render_template(
        "admin/teams.html",
        form=form,
        teams=_teams(),
        members=members,
        agency_label=definitions.agency_label if definitions else str,
    ), status


@bp.post("/users/<int:user_id>/team")
@require(Permission.MANAGE_USERS)
def set_user_team(user_id: int) -> ResponseReturnValue:
    account = _account_or_404(user_id)
    form = set_team_form([(str(t.id), t.name) for t in _teams(account.agency)], account.team_id)
    if form.validate_on_submit():
        chosen = form.team.data or ""
        team = None
        if chosen:
            team = web.session().get(Team, int(chosen)) if chosen.isdigit() else None
            if team is None or team.local_authority_id != account.local_authority_id:
                abort(400)
        try:
            set_team(web.session(), current_actor(), account, team)
        except AccountError as error:
            web.session().rollback()
            form.team.errors = [str(error)]
        else:
            web.session().commit()
            flash(
                f"{account.name} is in {team.name}" if team else f"{account.name} is in no team",
                "success",
            )
            return redirect(url_for("admin.user", user_id=account.id))
    return _user_page(account, team_choice=form)
