"""Sign-in, sign-out and the account page; how a request knows who is signed in.

A session records the account id with its ``session_epoch``, when it began and when it was
last used. It ends after ``IDLE_MINUTES`` without a request, after ``ABSOLUTE_HOURS`` in any
case, and at once when the epoch changes (sign out everywhere, a new password, an account
disabled). Signing in starts a brand-new session, so a session made before sign-in can never
become a signed-in one (session fixation).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    login_required,
    login_user,
    logout_user,
)

from panelflow import web
from panelflow.accounts import sso
from panelflow.accounts.forms import ConfirmForm, SignInForm
from panelflow.accounts.models import User
from panelflow.accounts.operations import actor_for, sign_in, sign_out_everywhere
from panelflow.catalogue.operations import engine_for, live_version
from panelflow.db import utcnow

bp = Blueprint("accounts", __name__)
login_manager = LoginManager()


class SignedIn(UserMixin):  # type: ignore[misc]
    """The signed-in person for Flask-Login: an account at one session epoch."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_epoch}"

    @property
    def actor(self):  # type: ignore[no-untyped-def]
        return actor_for(self.user)


@login_manager.user_loader
def _load(identity: str) -> SignedIn | None:
    user_id, _, epoch = identity.partition(":")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    user = web.session().get(User, int(user_id))
    if user is None or not user.active or user.session_epoch != int(epoch):
        return None
    return SignedIn(user)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in_page"
    login_manager.login_message = "Sign in to continue"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    app.before_request(_enforce_timeouts)
    app.register_blueprint(bp)
    sso.init_app(app)


def _now() -> datetime:
    return utcnow()


# Reached by a secret address, not by signing in: a calendar feed never redirects to the
# sign-in page (which would copy its secret into a query string).
NOT_SESSION_ENDPOINTS = frozenset({"calendar.feed"})


def _enforce_timeouts() -> ResponseReturnValue | None:
    if request.endpoint in NOT_SESSION_ENDPOINTS or not current_user.is_authenticated:
        return None
    now = _now()
    idle = timedelta(minutes=current_app.config["IDLE_MINUTES"])
    absolute = timedelta(hours=current_app.config["ABSOLUTE_HOURS"])
    began = datetime.fromisoformat(session.get("signed_in_at", now.isoformat()))
    seen = datetime.fromisoformat(session.get("seen_at", now.isoformat()))
    if now - seen > idle:
        return _end_session(
            f"You were signed out after {idle.seconds // 60} minutes without "
            "activity. Sign in again to continue."
        )
    if now - began > absolute:
        return _end_session(
            "You were signed out because you signed in more than "
            f"{current_app.config['ABSOLUTE_HOURS']} hours ago. Sign in again "
            "to continue."
        )
    session["seen_at"] = now.isoformat()
    return None


def _end_session(message: str) -> ResponseReturnValue:
    logout_user()
    session.clear()
    flash(message, "info")
    return redirect(url_for("accounts.sign_in_page", next=local_path(request.full_path)))


def local_path(target: str | None) -> str | None:
    """Only paths on this site may be returned to after sign-in (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target.rstrip("?") or "/"


def client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in_page() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("catalogue.home"))
    form = SignInForm()
    refusal = None
    if form.validate_on_submit():
        result = sign_in(
            web.session(), form.email.data or "", form.password.data or "", client_address()
        )
        web.session().commit()
        if result.user is not None:
            target = local_path(request.args.get("next")) or url_for("catalogue.home")
            start_session(result.user)
            return redirect(target)
        refusal = result.message
    demo = current_app.config.get("DEMO_MODE") and _demo_personas()
    status = 200 if request.method == "GET" or not (refusal or form.errors) else 400
    return render_template(
        "accounts/sign_in.html",
        form=form,
        refusal=refusal,
        personas=demo or [],
        sso_enabled=sso.enabled(),
        next=local_path(request.args.get("next")),
    ), status


def start_session(user: User) -> None:
    """A brand-new session for a freshly signed-in user (never reuse the old one)."""
    session.clear()
    login_user(SignedIn(user))
    now = _now().isoformat()
    session["signed_in_at"] = now
    session["seen_at"] = now


@bp.get("/sign-in/sso")
def sso_start() -> ResponseReturnValue:
    return sso.start()


@bp.get("/sign-in/sso/callback")
def sso_callback() -> ResponseReturnValue:
    return sso.callback()


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    form = ConfirmForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash("You have signed out", "success")
    return redirect(url_for("accounts.sign_in_page"))


def require_sign_in() -> ResponseReturnValue | None:
    """For a blueprint's ``before_request``: send anyone not signed in to sign in."""
    if current_user.is_authenticated:
        return None
    response: ResponseReturnValue = login_manager.unauthorized()
    return response


@bp.get("/account")
@login_required
def account() -> ResponseReturnValue:
    user: User = current_user.user
    live = live_version(web.session())
    role_label = engine_for(live).definitions.role_label if live else str
    return render_template(
        "accounts/account.html", user=user, form=ConfirmForm(), role_label=role_label
    )


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere_page() -> ResponseReturnValue:
    form = ConfirmForm()
    if form.validate_on_submit():
        sign_out_everywhere(web.session(), current_user.user)
        web.session().commit()
        logout_user()
        session.clear()
        flash("You have signed out on every device", "success")
    return redirect(url_for("accounts.sign_in_page"))


def _demo_personas() -> list[dict[str, str]]:
    from panelflow.demo import PERSONA_PASSWORD, PERSONAS

    return [dict(p, password=PERSONA_PASSWORD) for p in PERSONAS]
