"""The one permission decorator for views, and refusals that are always audited.

    @bp.get("/admin/users")
    @require(Permission.MANAGE_USERS)
    def users() -> ...:

Not signed in: sent to sign in. Signed in without the permission: 403, and an audit record.
For a single record outside someone's need-to-know, views call ``not_found_for(actor, ...)``,
which audits the refusal and answers 404 so that the record's existence does not leak.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, TypeVar

from flask import Flask, abort, request
from flask_login import current_user

from panelflow import web
from panelflow.audit.operations import log
from panelflow.roles import Actor
from panelflow.roles.policy import Permission, allowed

F = TypeVar("F", bound=Callable[..., Any])


def current_actor() -> Actor:
    actor: Actor = current_user.actor
    return actor


def _audit_refusal(actor: Actor, permission: Permission, **details: Any) -> None:
    session = web.session()
    session.rollback()  # nothing of the refused request is kept, only its refusal
    log(
        session,
        actor,
        "access.refused",
        f"refused {permission.value}: {request.path}",
        details={
            "path": request.path,
            "method": request.method,
            "permission": permission.value,
            "address": request.remote_addr or "",
            **details,
        },
    )
    session.commit()


def require(permission: Permission) -> Callable[[F], F]:
    """Only signed-in people holding ``permission`` may use the view."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            from panelflow.accounts.views import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            actor = current_actor()
            if not allowed(actor, permission):
                _audit_refusal(actor, permission)
                abort(403)
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def permitted(name: str) -> bool:
    """For templates: whether the person signed in holds a permission (to show links)."""
    return bool(current_user.is_authenticated) and allowed(current_actor(), Permission(name))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["permitted"] = permitted


def not_found_for(actor: Actor, permission: Permission, **details: Any) -> NoReturn:
    """Refuse a record outside the actor's need-to-know: audited, answered as 404."""
    _audit_refusal(actor, permission, **details)
    abort(404)


def forbidden_for(actor: Actor, permission: Permission, **details: Any) -> NoReturn:
    """Refuse something the actor may see but not do: audited, answered as 403."""
    _audit_refusal(actor, permission, **details)
    abort(403)
