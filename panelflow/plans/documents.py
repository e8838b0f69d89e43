"""Plan documents from templates the local authority edits: the plan, and the review letter.

The templates are plain HTML files with Jinja2 placeholders in one folder,
``config/documents`` unless ``PANELFLOW_DOCUMENTS`` names another. They are read afresh each
time a document is made, so an edit shows at once. They run in Jinja2's sandbox, with
autoescaping, and see only the values listed in ``VALUES`` (documented in
docs/support-plans.md): plain words, dates already written out, lists and records. A
template with a mistake never breaks a page: ``render`` raises ``DocumentProblem``, whose
message names the file, the line and the problem, and ``check`` (``panelflow documents
check``) tries every template with example values before the templates go live.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from panelflow.presentation import day, year_group
from panelflow.workflows.definitions import WorkflowSet
from panelflow.workflows.structured import DECISIONS, RATINGS, party_label

ENVIRONMENT_VARIABLE = "PANELFLOW_DOCUMENTS"
DEFAULT_FOLDER = "config/documents"


@dataclass(frozen=True)
class Document:
    key: str
    file: str
    title: str
    needs: str  # "plan" or "review": what must have been recorded for it to exist


DOCUMENTS = {
    "support_plan": Document(
        "support_plan", "support_plan.html", "Attendance support plan", "plan"
    ),
    "review_letter": Document(
        "review_letter", "review_letter.html", "Letter after the review", "review"
    ),
}

# The values every template can use, in the words docs/support-plans.md explains them.
VALUES = {
    "pupil": "given_name, family_name, full_name, date_of_birth, year_group",
    "school": "name",
    "local_authority": "the local authority's name",
    "today": "today's date, written out",
    "stage": "where the case is now, e.g. Targeted support",
    "plan": (
        "version, agreed_on, agreed_by, barriers (category, barrier), barrier_notes, "
        "commitments (who, what, by), targets (target, by), review_date, pupil_views, "
        "family_views; none before a plan is agreed"
    ),
    "review": (
        "held_on, held_by, notes, attendance, progress (target, by, rating, notes), "
        "decision, decision_key (step_down, continue or step_up), pupil_views, "
        "family_views; none in the plan document"
    ),
}


class DocumentProblem(Exception):
    """A document template that cannot be used; ``str()`` says where and what."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


def folder(configured: str | None = None) -> Path:
    """Where the templates are: the app's setting, else the environment, else the default."""
    return Path(configured or os.environ.get(ENVIRONMENT_VARIABLE) or DEFAULT_FOLDER)


def _environment(where: Path) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(where)),
        autoescape=True,
        undefined=StrictUndefined,
        auto_reload=True,
    )


def _line_of(traceback: TracebackType | None, path: str) -> int | None:
    """The template line an error happened on (Jinja2 puts template frames in tracebacks)."""
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == path:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def _plain(error: Exception) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, SecurityError):
        return f"the template tried something documents may not do ({text})"
    if "is undefined" in text or "has no attribute" in text:
        return f"{text}; the values a document can use are: " + ", ".join(
            f"{name} ({parts})" for name, parts in VALUES.items()
        )
    return text


def render(document: Document, values: Mapping[str, Any], where: Path | None = None) -> str:
    """The document's HTML, or ``DocumentProblem`` naming the file and line at fault."""
    where = where or folder()
    path = where / document.file
    shown = str(path)
    if not path.is_file():
        raise DocumentProblem(
            shown, None, f"there is no template for the {document.title.lower()} here"
        )
    try:
        template = _environment(where).get_template(document.file)
        return template.render(**values)
    except TemplateSyntaxError as error:
        return _raise(shown, error.lineno, error.message or str(error))
    except UnicodeDecodeError:
        return _raise(shown, None, "the file is not text saved as UTF-8")
    except (
        TemplateError,
        SecurityError,
        ArithmeticError,
        LookupError,
        TypeError,
        ValueError,
    ) as error:
        return _raise(shown, _line_of(error.__traceback__, str(path)), _plain(error))


def _raise(file: str, line: int | None, message: str) -> str:
    raise DocumentProblem(file, line, message)


def check(where: Path | None = None) -> list[DocumentProblem]:
    """Try every document template with example values; every problem found."""
    problems = []
    for document in DOCUMENTS.values():
        for values in (example_values(with_plan=True), example_values(with_plan=False)):
            if document.needs == "plan" and values["plan"] is None:
                continue
            try:
                render(document, values, where)
            except DocumentProblem as problem:
                problems.append(problem)
                break
    return problems


# -- the values a template sees --------------------------------------------------------------


def _when(moment: datetime | None) -> str:
    return day(moment) if moment else ""


def _date(iso: str) -> str:
    return day(date.fromisoformat(iso)) if iso else ""


def plan_values(
    definitions: WorkflowSet | None, plan: Mapping[str, Any], *, at: datetime, by: str, number: int
) -> dict[str, Any]:
    categories = {
        key: key.replace("_", " ").capitalize()
        for key in (definitions.barriers if definitions else {})
    }
    return {
        "version": number,
        "agreed_on": _when(at),
        "agreed_by": by,
        "barriers": [
            {
                "category": categories.get(b["category"], b["category"].capitalize()),
                "barrier": b["barrier"],
            }
            for b in plan.get("barriers", [])
        ],
        "barrier_notes": plan.get("barrier_notes", ""),
        "commitments": [
            {"who": party_label(definitions, c["who"]), "what": c["what"], "by": _date(c["by"])}
            for c in plan.get("commitments", [])
        ],
        "targets": [{"target": t["target"], "by": _date(t["by"])} for t in plan.get("targets", [])],
        "review_date": _date(plan.get("review_date", "")),
        "pupil_views": plan.get("pupil_views", ""),
        "family_views": plan.get("family_views", ""),
    }


def review_values(
    review: Mapping[str, Any], fields: Mapping[str, Any], *, at: datetime, by: str
) -> dict[str, Any]:
    attendance = fields.get("attendance_rate")
    return {
        "held_on": _when(at),
        "held_by": by,
        "notes": str(fields.get("review_notes", "")),
        "attendance": "" if attendance is None else f"{attendance}%",
        "progress": [
            {
                "target": p["target"],
                "by": _date(p.get("by", "")),
                "rating": RATINGS.get(p["rating"], p["rating"]),
                "notes": p.get("notes", ""),
            }
            for p in review.get("progress", [])
        ],
        "decision": DECISIONS.get(review.get("decision", ""), ""),
        "decision_key": review.get("decision", ""),
        "pupil_views": review.get("pupil_views", ""),
        "family_views": review.get("family_views", ""),
    }


def pupil_values(pupil: Any) -> dict[str, Any]:
    return {
        "pupil": {
            "given_name": pupil.given_name,
            "family_name": pupil.family_name,
            "full_name": f"{pupil.given_name} {pupil.family_name}",
            "date_of_birth": day(pupil.date_of_birth),
            "year_group": year_group(pupil.year_group),
        },
        "school": {"name": pupil.school.name},
        "local_authority": pupil.school.local_authority.name
        if pupil.school.local_authority
        else "",
    }


def example_values(*, with_plan: bool) -> dict[str, Any]:
    """Values like a real case's, for checking templates (never shown to anyone)."""
    at = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    plan = {
        "barriers": [
            {"category": "pupil", "barrier": "anxiety or low mood"},
            {"category": "family", "barrier": "getting to school on time"},
        ],
        "barrier_notes": "Mornings are hard.",
        "commitments": [
            {"who": "school", "what": "A quiet start in the library", "by": ""},
            {"who": "family", "what": "An alarm at 7:15", "by": "2026-03-20"},
        ],
        "targets": [{"target": "In school by 8:50 on four days a week", "by": "2026-04-20"}],
        "review_date": "2026-04-20",
        "pupil_views": "I like the library.",
        "family_views": "Calls on Fridays please.",
    }
    review = {
        "progress": [
            {
                "target": "In school by 8:50 on four days a week",
                "by": "2026-04-20",
                "rating": "partly_met",
                "notes": "Three days most weeks.",
            }
        ]
        if with_plan
        else [],
        "decision": "continue",
        "pupil_views": "Mondays are still hard.",
        "family_views": "",
    }
    return {
        "pupil": {
            "given_name": "Alex",
            "family_name": "Taylor",
            "full_name": "Alex Taylor",
            "date_of_birth": "4 May 2015",
            "year_group": "Year 5",
        },
        "school": {"name": "Birkenhead Park Primary"},
        "local_authority": "Wirral Council",
        "today": "9 March 2026",
        "stage": "Targeted support",
        "plan": plan_values(None, plan, at=at, by="Lee Lead", number=1) if with_plan else None,
        "review": review_values(
            review, {"review_notes": "Better.", "attendance_rate": 88}, at=at, by="Lee Lead"
        ),
    }
