"""The subject access download: one zip holding a readable PDF and the same data as JSON.

The zip is written to a temporary file on disk (deleted when closed), not held in memory. The
JSON is written as it is read: attendance and the audit trail go into the file a batch at a
time, so a pupil with years of weekly attendance costs one batch of memory. The PDF is drawn
by WeasyPrint from ``templates/subject_access/document.html`` (``documents.pdf_from_html``:
the product's own stylesheet, nothing fetched); a document is laid out whole, so in it the
audit trail is summarised (one line per person, kind of entry and month, with how many
times), while the JSON lists every entry.

The JSON's shape is described in docs/subject-access.md; ``SCHEMA_VERSION`` changes when it
does. Dates are ISO 8601 (``2026-03-03``), moments ISO 8601 in UTC (``...+00:00``), money
whole pence.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from panelflow.documents import pdf_from_html
from panelflow.presentation import PUPIL_FLAG_WORDS
from panelflow.subject_access.gather import EXPORTED, SCHEMA, SCHEMA_VERSION, SECTIONS, Held
from panelflow.virtual_school.operations import flag_words

LONDON = ZoneInfo("Europe/London")
JSON_NAME = "subject-access.json"
PDF_NAME = "subject-access.pdf"
README_NAME = "README.txt"
TEMPLATE = "subject_access/document.html"
CHUNK = 64 * 1024

# Renders a template with its values (the web app passes Flask's ``render_template``).
RenderHtml = Callable[..., str]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _dumps(value: Any) -> str:
    return json.dumps(value, default=_plain, ensure_ascii=False, sort_keys=False)


def records_at(value: Any, path: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """The records at ``path`` in the export's data (lists are walked through on the way)."""
    if isinstance(value, list):
        for item in value:
            yield from records_at(item, path)
        return
    if not path:
        yield value
        return
    yield from records_at(value.get(path[0], []), path[1:])


def _counted(held: Held) -> dict[str, int]:
    """How many records of each table are in the parts read whole."""
    small = {
        "pupil": held.pupil,
        "virtual_school": held.virtual_school,
        "sharing": held.sharing,
        "cases": held.cases,
        "programme_places": held.programme_places,
    }
    return {
        table: sum(1 for _ in records_at(small, path))
        for table, path in EXPORTED.items()
        if path[0] in small
    }


def write_json(out: IO[str], held: Held, reference: str, generated_at: datetime) -> dict[str, int]:
    """Write the JSON document to ``out``, streaming attendance and the audit trail; return
    how many records of each table it holds."""
    counts = _counted(held)
    head = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "generated_at": generated_at,
        "request_reference": reference,
        "pupil": held.pupil,
        "virtual_school": held.virtual_school,
        "sharing": held.sharing,
        "cases": held.cases,
        "programme_places": held.programme_places,
    }
    out.write(_dumps(head)[:-1])  # the object stays open for the streamed lists
    for key, table, batches in (
        ("attendance", "attendance_records", held.attendance()),
        ("audit", "audit_records", held.audit()),
    ):
        out.write(f', "{key}": [')
        n = 0
        for batch in batches:
            for row in batch:
                out.write((", " if n else "") + _dumps(row))
                n += 1
        out.write("]")
        counts[table] = n
    out.write(', "counts": ' + _dumps(counts) + "}\n")
    return counts


@dataclass(frozen=True)
class AuditLine:
    """The audit entries of one person, of one kind, in one month."""

    month: str
    by: str
    role: str
    agency: str
    summary: str
    times: int
    first: datetime
    last: datetime


def audit_lines(held: Held) -> list[AuditLine]:
    """The audit trail about the pupil, one line per month, person, role, agency and what
    they did, in order of first occurrence (memory grows with the lines, not the entries)."""
    lines: dict[tuple[str, str, str, str, str], list[Any]] = {}
    for batch in held.audit():
        for row in batch:
            local = row["at"].astimezone(LONDON)
            key = (f"{local:%B %Y}", row["by"], row["role"], row["agency"], row["summary"])
            found = lines.get(key)
            if found is None:
                lines[key] = [1, row["at"], row["at"]]
            else:
                found[0] += 1
                found[2] = row["at"]
    return [AuditLine(*key, times, first, last) for key, (times, first, last) in lines.items()]


def document_html(
    held: Held, reference: str, generated_at: datetime, counts: dict[str, int], render: RenderHtml
) -> str:
    return render(
        TEMPLATE,
        held=held,
        sections=SECTIONS,
        reference=reference,
        generated_at=generated_at,
        counts=counts,
        attendance=held.attendance(),
        audit=audit_lines(held),
        known=[PUPIL_FLAG_WORDS[name] for name, on in held.pupil["flags"].items() if on],
        flag_words=flag_words,
        update_words={
            "created": "agreed",
            "accepted": "accepted",
            "declined": "declined",
            "progress": "progress",
            "completed": "completed",
            "withdrawn": "ended, as consent to share was withdrawn or expired",
        },
    )


README = """What is held about one pupil in panelflow, for a subject access request.

{pdf}: the readable document, section by section.
{json}: the same records as machine-readable data (schema "{schema}", version {version};
dates ISO 8601, moments in UTC, money in whole pence). Its shape is described in panelflow's
guide, docs/subject-access.md.

Request reference: {reference}
Made: {made} (UTC)

Before anything is released, the data protection officer must review the free text (notes,
discussions, reasons, outcomes) for information about other people, and redact it where the
law requires.
"""


@dataclass
class Package:
    """The zip, in a temporary file positioned at its start; ``chunks()`` reads it out and
    closes it."""

    file: IO[bytes]
    size: int
    filename: str
    counts: dict[str, int]

    def chunks(self) -> Iterator[bytes]:
        try:
            while chunk := self.file.read(CHUNK):
                yield chunk
        finally:
            self.file.close()


def package(held: Held, reference: str, generated_at: datetime, render: RenderHtml) -> Package:
    """Write the zip: README, JSON (streamed), then the PDF. Raises
    ``documents.DocumentUnavailable`` if PDFs cannot be drawn on this server."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 - the response reads it out and closes it
    try:
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                README_NAME,
                README.format(
                    pdf=PDF_NAME,
                    json=JSON_NAME,
                    schema=SCHEMA,
                    version=SCHEMA_VERSION,
                    reference=reference,
                    made=generated_at.isoformat(timespec="seconds"),
                ),
            )
            with archive.open(JSON_NAME, "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
                counts = write_json(text, held, reference, generated_at)
                text.flush()
                text.detach()
            html = document_html(held, reference, generated_at, counts, render)
            archive.writestr(PDF_NAME, pdf_from_html(html))
        size = target.tell()
        target.seek(0)
    except BaseException:
        target.close()
        raise
    day = generated_at.astimezone(LONDON).date().isoformat()
    return Package(target, size, f"subject-access-pupil-{held.pupil_id}-{day}.zip", counts)
