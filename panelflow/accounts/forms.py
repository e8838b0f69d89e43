"""Sign-in forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, Length


def email_field(missing: str, description: str = "") -> EmailField:
    """An email address field: present, at most 320 characters, and well formed."""
    return EmailField(
        "Email address",
        widget=GovTextInput(),
        description=description,
        validators=[
            DataRequired(message=missing),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            Email(
                message="Enter an email address in the correct format, like name@example.org",
                check_deliverability=False,
            ),
        ],
    )


class SignInForm(FlaskForm):
    email = email_field("Enter your email address")
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[DataRequired(message="Enter your password")],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button that changes something (sign out, sign out everywhere): CSRF only."""

    submit = SubmitField("Continue", widget=GovSubmitInput())
