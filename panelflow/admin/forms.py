"""Forms for administering accounts (Flask-WTF: every POST form carries a CSRF token).

Choices come from the live workflow definitions (agencies, roles) and the administrator's
local authority (schools), so each form is built by a function that is given them. Role
choices are not checked by WTForms: ``assign_role`` decides, and its plain message is shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import request
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    Field,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from panelflow.accounts.forms import email_field
from panelflow.accounts.operations import AccountError
from panelflow.accounts.passwords import MIN_LENGTH, problems_with
from panelflow.organisations.models import School
from panelflow.roles.policy import SCHOOL_AGENCY
from panelflow.workflows.definitions import WorkflowSet

CHOOSE_AGENCY = "Choose the agency this person works for"
CHOOSE_SCHOOL = "Choose the school this person works at"
NOT_A_SCHOOL = (
    "Leave the school empty for someone who does not work at a school, or choose the agency School"
)
PASSWORD_HINT = (
    "Optional. Leave it empty if the person will only sign in with their council account "
    f"(single sign-on). A password must be {MIN_LENGTH} characters or more and hard to guess: "
    "a few unrelated words together work well."
)


class SearchForm(FlaskForm):
    """The search box on the list of accounts: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        "Search by name or email address",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
    )
    submit = SubmitField("Search", widget=GovSubmitInput())


def search_form() -> SearchForm:
    return SearchForm(formdata=request.args)


class NewAccountForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the person's full name"),
            Length(max=200, message="Full name must be 200 characters or fewer"),
        ],
    )
    email = email_field(
        "Enter the person's email address",
        "The address they use at work. Single sign-on finds the account by it.",
    )
    agency = RadioField(
        "Agency",
        widget=GovRadioInput(),
        description="The organisation they work for. Their roles must be roles of this agency.",
        validators=[InputRequired(message=CHOOSE_AGENCY)],
        invalid_choice_message=CHOOSE_AGENCY,
    )
    school = SelectField(
        "School",
        widget=GovSelect(),
        description="Only for people who work at a school",
        default="",
        invalid_choice_message=CHOOSE_SCHOOL,
    )
    roles = SelectMultipleField(
        "Roles",
        widget=GovCheckboxesInput(),
        description="Choose the roles their job needs. Each role belongs to one agency.",
        validators=[DataRequired(message="Choose at least one role")],
        validate_choice=False,  # assign_role refuses a role of another agency, in words
    )
    password = PasswordField(
        "Initial password",
        widget=GovPasswordInput(),
        description=PASSWORD_HINT,
        validators=[Optional()],
    )
    submit = SubmitField("Create account", widget=GovSubmitInput())

    def validate_school(self, field: Field) -> None:
        if self.agency.data == SCHOOL_AGENCY and not field.data:
            raise ValidationError(CHOOSE_SCHOOL)
        if self.agency.data and self.agency.data != SCHOOL_AGENCY and field.data:
            raise ValidationError(NOT_A_SCHOOL)

    def validate_password(self, field: Field) -> None:
        # The policy create_user applies, checked here too so that every problem with the
        # form is shown at once. (An empty password never gets here: Optional stops first.)
        problems = problems_with(field.data, self.email.data or "", self.name.data or "")
        if problems:
            raise ValidationError(problems[0])

    def show(self, error: AccountError) -> None:
        """Put an operation's refusal next to the field it is about."""
        field: Field = getattr(self, error.field or "name", self.name)
        field.errors = [str(error), *field.errors]


def new_account_form(definitions: WorkflowSet, schools: Sequence[School]) -> NewAccountForm:
    form = NewAccountForm()
    form.agency.choices = list(definitions.agencies.items())
    form.school.choices = [("", "Not at a school")] + [(str(s.id), s.name) for s in schools]
    form.roles.choices = [(name, role.label) for name, role in definitions.roles.items()]
    return form


class GrantRoleForm(FlaskForm):
    role = SelectField(
        "Grant another role",
        widget=GovSelect(),
        validators=[DataRequired(message="Choose a role to grant")],
        validate_choice=False,  # assign_role refuses a role of another agency, in words
    )
    submit = SubmitField("Grant role", widget=GovSubmitInput())


def grant_role_form(choices: Sequence[tuple[str, str]]) -> GrantRoleForm:
    form = GrantRoleForm(prefix="grant")
    form.role.choices = [("", "Choose a role"), *choices]
    return form


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description=(
            f"{MIN_LENGTH} characters or more, and hard to guess. Setting a password signs the "
            "person out everywhere."
        ),
        validators=[DataRequired(message="Enter a new password")],
    )
    submit = SubmitField("Set password", widget=GovSubmitInput())


def new_password_form() -> NewPasswordForm:
    return NewPasswordForm(prefix="reset")


class TeamForm(FlaskForm):
    name = StringField(
        "Team name",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter a name for the team"),
            Length(max=200, message="The team's name must be 200 characters or fewer"),
        ],
    )
    agency = SelectField(
        "Agency",
        widget=GovSelect(),
        validators=[DataRequired(message="Choose the agency the team belongs to")],
    )
    submit = SubmitField("Create team", widget=GovSubmitInput())


def team_form(agencies: Sequence[tuple[str, str]]) -> TeamForm:
    form = TeamForm(prefix="team")
    form.agency.choices = [("", "Choose an agency"), *agencies]
    return form


class SetTeamForm(FlaskForm):
    team = SelectField("Team", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Save team", widget=GovSubmitInput())


def set_team_form(choices: Sequence[tuple[str, str]], current: int | None) -> SetTeamForm:
    form = SetTeamForm(prefix="set-team")
    form.team.choices = [("", "No team"), *choices]
    if request.method == "GET":
        form.team.data = str(current) if current else ""
    return form
