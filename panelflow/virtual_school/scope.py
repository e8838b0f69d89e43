"""Which pupils the virtual school follows, as the live workflow version says.

The ``virtual_school:`` section of the published file names the pupil flags that bring a
pupil into the virtual school head's view (``pupils:``) and the steps they are told about
(``tell_when:``). ``covered()`` turns the live rule into a SQL condition on ``Pupil`` (the
flag columns joined by OR, as fast as the columns themselves); the need-to-know policy
(``roles.policy``) and the virtual school's page both use it, so they never disagree.

The live rule is read once per request: one small query for the live version's id, then the
version's definitions, built once per process per content. Outside a web request (a command
run on the server, which acts for the service and is not held to need-to-know), a file
without the section, or no published version at all, the default rule applies: every flag.
"""

from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import pinned
from panelflow.workflows.definitions import DEFAULT_VIRTUAL_SCHOOL, VirtualSchoolRule

__all__ = ["covered", "current_rule", "live_rule"]


def live_rule(session: Session) -> VirtualSchoolRule:
    """The live version's rule (or the default, when it has no 'virtual_school:' section)."""
    version_id = (
        session.connection()
        .execute(select(WorkflowVersion.id).order_by(WorkflowVersion.number.desc()).limit(1))
        .scalar()
    )
    if version_id is None:
        return DEFAULT_VIRTUAL_SCHOOL
    rule = pinned(session, version_id).engine.definitions.virtual_school
    return rule or DEFAULT_VIRTUAL_SCHOOL


def current_rule() -> VirtualSchoolRule:
    """The rule for this request (read once per request), or the default outside one."""
    if not has_request_context():
        return DEFAULT_VIRTUAL_SCHOOL
    if "virtual_school_rule" not in g:
        from panelflow import web

        g.virtual_school_rule = live_rule(web.session())
    rule: VirtualSchoolRule = g.virtual_school_rule
    return rule


def condition(rule: VirtualSchoolRule) -> ColumnElement[bool]:
    """A SQL condition on ``Pupil``: the pupil has one of the rule's flags today."""
    from panelflow.organisations.models import Pupil

    columns = [getattr(Pupil, flag) for flag in rule.pupils]
    return or_(*columns) if columns else false()


def covered(rule: VirtualSchoolRule | None = None) -> ColumnElement[bool]:
    """The pupils the virtual school follows, by the given rule or the current one."""
    return condition(rule or current_rule())
