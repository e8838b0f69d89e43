"""The ``panelflow`` command: validate, publish and migrate workflows, verify the audit
trail, run timers, manage the database and serve the app.

Every command reports problems as plain messages and an exit status, never a traceback.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from panelflow.db import Database

DEFAULT_FILE = os.environ.get("PANELFLOW_WORKFLOWS", "config/workflows.yaml")


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise click.ClickException(f"{path}: no such file") from None
    except IsADirectoryError:
        raise click.ClickException(f"{path}: is a folder, not a workflow file") from None
    except OSError as error:
        raise click.ClickException(f"{path}: cannot be read ({error.strerror})") from None


@contextmanager
def _database() -> Iterator[Database]:
    """The app's database, disposed of when the command ends."""
    from panelflow import create_app

    app = create_app()
    database: Database = app.extensions["panelflow.db"]
    try:
        yield database
    finally:
        database.dispose()


@contextmanager
def _transaction() -> Iterator[Session]:
    """One transaction for a command: committed if the command succeeds."""
    with _database() as database, database.transaction() as session:
        yield session


def _actor(name: str | None):  # type: ignore[no-untyped-def]
    from panelflow.roles import cli_actor

    return cli_actor(name or getpass.getuser())


@click.group()
def main() -> None:
    """panelflow: multi-agency attendance panels and referrals."""


@main.command()
@click.argument("file", default=DEFAULT_FILE, required=False)
def validate(file: str) -> None:
    """Check a workflow file; print every problem as FILE:LINE:COLUMN: message."""
    from panelflow.workflows.validation import validate_text

    result = validate_text(_read(file))
    if not result.ok:
        for line in result.lines(file):
            click.echo(line)
        count = len(result.problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''} found in {file}", err=True)
        sys.exit(1)
    click.echo(f"{file}: {result.summary()}")


@main.group()
def documents() -> None:
    """The plan documents' templates (the plan, the letter after a review)."""


@documents.command("check")
@click.argument("folder", required=False)
def documents_check(folder: str | None) -> None:
    """Try every document template with example values; print each problem as FILE:LINE: message.

    FOLDER defaults to PANELFLOW_DOCUMENTS, or config/documents.
    """
    from panelflow.plans import documents as docs

    where = docs.folder(folder)
    problems = docs.check(where)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        count = len(problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''} found in {where}", err=True)
        sys.exit(1)
    names = ", ".join(d.file for d in docs.DOCUMENTS.values())
    click.echo(f"{where}: the document templates are ready ({names})")


@main.group()
def workflows() -> None:
    """Publish, list and migrate workflow versions."""


@workflows.command("publish")
@click.argument("file", default=DEFAULT_FILE, required=False)
@click.option("--by", "by", help="Who is publishing (defaults to your login name).")
def publish_command(file: str, by: str | None) -> None:
    """Validate FILE and publish it as the next live version."""
    from panelflow.catalogue.operations import publish

    data = _read(file)
    with _transaction() as session:
        result = publish(session, data, file, _actor(by))
    if not result.ok:
        for problem in result.problems:
            click.echo(problem.format(file))
        raise click.ClickException(result.refusal or "not published")
    assert result.version is not None
    click.echo(f"published version {result.version.number} of {file}")
    for change in result.version.changes.splitlines():
        click.echo(f"  - {change}")


@workflows.command("list")
def list_command() -> None:
    """List published versions, newest first."""
    from sqlalchemy import select

    from panelflow.catalogue.models import WorkflowVersion

    with _transaction() as session:
        versions = session.scalars(
            select(WorkflowVersion).order_by(WorkflowVersion.number.desc())
        ).all()
        if not versions:
            click.echo("no workflow version has been published yet")
        for i, v in enumerate(versions):
            live = " (live)" if i == 0 else ""
            click.echo(
                f"version {v.number}{live}: published {v.published_at:%d %b %Y %H:%M} "
                f"by {v.published_by} from {v.source_name} [{v.content_hash[:12]}]"
            )


@workflows.command("show")
@click.argument("number", type=int)
@click.option("--diff", "show_diff", is_flag=True, help="Also print the line-by-line diff.")
def show_command(number: int, show_diff: bool) -> None:
    """What changed in version NUMBER."""
    from panelflow.catalogue.operations import version_by_number

    with _transaction() as session:
        version = version_by_number(session, number)
        if version is None:
            raise click.ClickException(f"there is no workflow version {number}")
        click.echo(f"version {version.number}, published by {version.published_by}")
        for change in version.changes.splitlines():
            click.echo(f"  - {change}")
        if show_diff and version.diff:
            click.echo(version.diff)


@workflows.command("migrate")
@click.option("--to", "to", type=int, required=True, help="The version to move cases to.")
@click.option("--apply", "apply_", is_flag=True, help="Move the cases (default: report only).")
@click.option("--by", "by", help="Who is migrating (defaults to your login name).")
def migrate_command(to: int, apply_: bool, by: str | None) -> None:
    """Report (or, with --apply, move) open cases onto version --to."""
    from panelflow.catalogue.operations import apply_migration, plan_migration, version_by_number

    with _transaction() as session:
        target = version_by_number(session, to)
        if target is None:
            raise click.ClickException(f"there is no workflow version {to}")
        if apply_:
            report = apply_migration(session, target, _actor(by))
        else:
            report = plan_migration(session, target)
    if not report.rows:
        click.echo(f"no open case is on another version than {to}")
        return
    for row in report.rows:
        verdict = ("moved" if report.applied else "can move") if row.movable else "cannot move"
        click.echo(
            f"case {row.case_id} ({row.workflow}, version {row.from_version}, at "
            f"'{row.state}'): {verdict}: {row.reason}"
        )
    moved = len(report.movable)
    if report.applied:
        click.echo(
            f"{moved} case(s) moved to version {to}; {len(report.stuck)} left where they are"
        )
    else:
        click.echo(
            f"dry run: {moved} case(s) can move, {len(report.stuck)} cannot; run again "
            "with --apply to move them"
        )


@main.command()
@click.argument("workflow")
@click.option(
    "--file",
    "file",
    default=DEFAULT_FILE,
    show_default=True,
    help="The workflow file to draw from.",
)
@click.option("-o", "--output", help="Where to write the SVG (default: WORKFLOW.svg).")
def diagram(workflow: str, file: str, output: str | None) -> None:
    """Draw WORKFLOW as an SVG diagram."""
    from panelflow.workflows.diagram import DiagramUnavailable, render_svg
    from panelflow.workflows.validation import validate_text

    result = validate_text(_read(file))
    if not result.ok or result.definitions is None:
        for line in result.lines(file):
            click.echo(line)
        raise click.ClickException(f"{file} has problems; fix them before drawing it")
    definition = result.definitions.workflows.get(workflow)
    if definition is None:
        raise click.ClickException(
            f"{file} has no workflow '{workflow}' (it has: "
            f"{', '.join(result.definitions.workflows)})"
        )
    try:
        svg = render_svg(definition)
    except DiagramUnavailable as error:
        raise click.ClickException(str(error)) from None
    target = Path(output or f"{workflow}.svg")
    target.write_text(svg, encoding="utf-8")
    click.echo(f"wrote {target}")


@main.group()
def audit() -> None:
    """The audit trail."""


@audit.command("verify")
def audit_verify() -> None:
    """Check that no audit record was altered, inserted or deleted."""
    from panelflow.audit.operations import verify

    with _transaction() as session:
        report = verify(session)
    click.echo(report.message)
    if not report.intact:
        sys.exit(1)


@main.command()
def tick() -> None:
    """Act on due timers and remind people of overdue actions (run every few minutes from
    cron or a systemd timer)."""
    from panelflow.cases.operations import tick as run_tick
    from panelflow.notify.actions import remind_overdue
    from panelflow.notify.timers import remind_due
    from panelflow.sharing.operations import expire as expire_consents
    from panelflow.virtual_school import operations as virtual_school

    with _database() as database:
        with database.transaction() as session:  # pupil flags whose recorded dates have come
            virtual_school.tick(session)
        with database.transaction() as session:
            report = run_tick(session)
            expired = expire_consents(session)
        # Its own transaction: the timers' work stands even if queueing reminders fails.
        with database.transaction() as session:
            reminders = remind_overdue(session)
        with database.transaction() as session:
            digests = remind_due(session)
        database.refresh_statistics()
    click.echo(
        f"timers: {report.fired} fired, {report.flagged} flagged, {report.refused} "
        f"could not fire, {report.stale} no longer relevant"
    )
    click.echo(f"overdue actions: {reminders} reminder{'' if reminders == 1 else 's'} queued")
    if expired:  # consent or a lawful basis whose last day has passed: access ended
        click.echo(f"consent to share: {expired} expired, and the agencies' access ended")
    if digests:  # (said only when there were some, so cron stays quiet most of the day)
        click.echo(f"came due on cases: {digests} digest{'' if digests == 1 else 's'} queued")


@main.group()
def mail() -> None:
    """Email notifications waiting in the outbox."""


@mail.command("send")
@click.option(
    "--limit",
    default=100,
    show_default=True,
    type=click.IntRange(min=1),
    help="Send at most this many emails.",
)
def mail_send(limit: int) -> None:
    """Send the emails that are due (run every minute or two from cron or a systemd timer).

    Failed emails are retried later, so the exit status is 0 even if some failed.
    """
    from panelflow.notify.outbox import send_pending
    from panelflow.notify.smtp import MailSettingsError, SmtpSettings

    try:
        settings = SmtpSettings.from_environment()
    except MailSettingsError as error:
        raise click.ClickException(str(error)) from None
    with _database() as database:
        report = send_pending(database, settings=settings, limit=limit)
    click.echo(report.message)


@main.group("db")
def db_group() -> None:
    """Database schema migrations (Alembic)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Bring the database schema up to REVISION (default: the newest)."""
    from panelflow.migrate import upgrade

    with _database() as database:
        upgrade(database.url, revision)
        database.refresh_statistics()
    click.echo("database schema is up to date" if revision == "head" else f"at {revision}")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Take the database schema back to REVISION ('base' removes every table)."""
    from panelflow.migrate import downgrade

    with _database() as database:
        downgrade(database.url, revision)
    click.echo(f"database schema downgraded to {revision}")


@main.group()
def users() -> None:
    """Accounts (administrators manage the rest in the web UI)."""


@users.command("create-admin")
@click.option("--email", required=True, help="The administrator's email address.")
@click.option("--name", required=True, help="Their full name.")
@click.option(
    "--local-authority",
    "authority",
    required=True,
    help="The local authority's name (created if it does not exist yet).",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of asking for it.",
)
def create_admin(email: str, name: str, authority: str, password_stdin: bool) -> None:
    """Create a local authority administrator (the first account, or a new one)."""
    from sqlalchemy import select

    from panelflow.accounts.operations import AccountError, create_user
    from panelflow.catalogue.operations import engine_for, live_version
    from panelflow.organisations.models import LocalAuthority

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _transaction() as session:
        live = live_version(session)
        if live is None:
            raise click.ClickException(
                "publish the workflows first (panelflow workflows publish): they declare "
                "the roles an administrator is given"
            )
        la = session.scalars(select(LocalAuthority).where(LocalAuthority.name == authority)).first()
        if la is None:
            la = LocalAuthority(name=authority)
            session.add(la)
            session.flush()
        try:
            user = create_user(
                session,
                _actor(None),
                engine_for(live).definitions,
                email=email,
                name=name,
                agency="local_authority",
                local_authority=la,
                roles=("la_admin",),
                password=password,
            )
        except AccountError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"created administrator {user.name} <{user.email}> for {la.name}")


@main.group()
def terms() -> None:
    """Term dates: the holidays and training days that school days skip."""


def _term_dates(file: str):  # type: ignore[no-untyped-def]
    """Read a term-dates file (.yaml) or calendar (.ics); print its problems and notes by
    line, and stop with exit status 1 if it has problems."""
    from panelflow.terms.dates import read_term_dates

    result = read_term_dates(_read(file), file)
    for problem in sorted([*result.problems, *result.notes], key=lambda p: (p.line, p.column)):
        click.echo(problem.format(file))
    if not result.ok:
        count = len(result.problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''} found in {file}", err=True)
        sys.exit(1)
    return result


@terms.command("check")
@click.argument("file")
def terms_check(file: str) -> None:
    """Check a term-dates file or .ics calendar.

    Every problem is printed as FILE:LINE:COLUMN: message (exit status 1).
    """
    result = _term_dates(file)
    click.echo(f"{file}: {result.summary()}")


@terms.command("load")
@click.argument("file")
@click.option("--authority", required=True, help="The local authority's name.")
@click.option("--by", "by", help="Who is loading (defaults to your login name).")
def terms_load(file: str, authority: str, by: str | None) -> None:
    """Check FILE, then store it as an authority's term dates.

    The academic years in FILE replace the ones stored; other years are kept.
    """
    from panelflow.terms.operations import TermDatesError, authority_named, load_term_dates

    result = _term_dates(file)
    assert result.term_dates is not None  # _term_dates stops on a file with problems
    with _transaction() as session:
        try:
            la = authority_named(session, authority)
            report = load_term_dates(session, la.id, result.term_dates, _actor(by))
        except TermDatesError as error:
            raise click.ClickException(str(error)) from None
    click.echo(report.message)


@terms.command("show")
@click.option("--authority", required=True, help="The local authority's name.")
@click.option("--year", help="One academic year, like 2026-27 (default: every year stored).")
def terms_show(authority: str, year: str | None) -> None:
    """Print the days an authority's schools are closed."""
    from panelflow.terms.dates import describe_years
    from panelflow.terms.operations import TermDatesError, authority_named, closures_of

    with _transaction() as session:
        try:
            la = authority_named(session, authority)
            closures = closures_of(session, la.id, year)
        except TermDatesError as error:
            raise click.ClickException(str(error)) from None
        name = la.name
    if not closures:
        click.echo(
            f"{name} has no term dates{f' for {year}' if year else ''}: school days are "
            "counted Monday to Friday. Load them with: panelflow terms load FILE "
            f'--authority "{name}"'
        )
        return
    click.echo(f"{name}: the days schools are closed")
    for line in describe_years(closures):
        click.echo(line)


@main.group()
def attendance() -> None:
    """Attendance figures from schools' management information systems."""


SHOWN_PROBLEMS = 50


@attendance.command("import")
@click.argument("file")
@click.option("--school", required=True, help="The school's URN or name.")
@click.option("--by", "by", help="Who is importing (defaults to your login name).")
@click.option(
    "--map",
    "pairs",
    multiple=True,
    metavar="KEY=HEADER",
    help='Which column holds a value, e.g. --map possible="Possible Sessions" (repeatable).',
)
@click.option(
    "--clean-rows-only",
    is_flag=True,
    help="Import the rows without problems and skip the others.",
)
@click.option("--dry-run", is_flag=True, help="Check the file and store nothing.")
def attendance_import(
    file: str,
    school: str,
    by: str | None,
    pairs: tuple[str, ...],
    clean_rows_only: bool,
    dry_run: bool,
) -> None:
    """Check a school's attendance export (CSV or XLSX) and import it.

    Every problem is printed as FILE:ROW:COLUMN: message. Nothing is imported while the file
    has problems (exit status 1), unless --clean-rows-only. Importing a period again replaces
    its figures for the pupils in the file.
    """
    from panelflow.attendance.mapping import parse_pairs
    from panelflow.attendance.operations import (
        AttendanceError,
        Progress,
        describe_columns,
        import_attendance,
        school_named,
    )
    from panelflow.attendance.reading import ReadError

    explicit, map_problems = parse_pairs(pairs)
    if map_problems:
        raise click.ClickException("; ".join(map_problems))

    def progress(step: Progress) -> None:
        of = f" of {step.total:,}" if step.total is not None else ""
        click.echo(
            f"{step.phase}: {step.rows:,}{of} rows ({step.rate:,.0f} rows a second)", err=True
        )

    with _transaction() as session:
        try:
            at = school_named(session, school)
            result = import_attendance(
                session,
                _actor(by),
                at,
                file,
                file_name=Path(file).name,
                explicit=explicit,
                clean_rows_only=clean_rows_only,
                dry_run=dry_run,
                progress=progress,
            )
        except (AttendanceError, ReadError) as error:
            raise click.ClickException(str(error)) from None
    for problem in result.problems[:SHOWN_PROBLEMS]:
        click.echo(problem.format(file))
    if result.problem_count > SHOWN_PROBLEMS:
        more = result.problem_count - SHOWN_PROBLEMS
        click.echo(f"... and {more:,} more problem{'' if more == 1 else 's'}")
    if result.mapping:
        click.echo("columns read: " + "; ".join(describe_columns(result.mapping)))
    click.echo(result.message)
    if result.status == "rejected":
        sys.exit(1)


@main.group()
def demo() -> None:
    """Demonstration data."""


@demo.command("seed")
@click.option("--file", "file", default=DEFAULT_FILE, show_default=True)
def demo_seed(file: str) -> None:
    """Publish the workflows and add demo pupils and cases (skipped if already there)."""
    from panelflow.demo import seed

    term_dates = Path(file).with_name("term-dates.yaml")
    with _database() as database:
        with database.transaction() as session:
            outcome = seed(
                session,
                _read(file),
                file,
                term_dates.read_bytes() if term_dates.is_file() else None,
            )
        database.refresh_statistics()
    click.echo(outcome)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the web app (a threaded development server; use gunicorn in production)."""
    from panelflow import create_app

    app = create_app()
    click.echo(f"panelflow is running at http://{host}:{port}/ (Ctrl+C to stop)")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


def run() -> None:
    """Console entry point: database failures become one plain line, not a traceback."""
    from panelflow.config import ConfigError

    try:
        main()
    except ConfigError as error:
        click.echo(f"panelflow cannot start: {error}", err=True)
        sys.exit(2)
    except SQLAlchemyError as error:
        text = str(getattr(error, "orig", error))
        if "no such table" in text or "does not exist" in text:
            click.echo(
                "the database schema is not set up yet: run 'panelflow db upgrade'", err=True
            )
        else:
            click.echo(f"database error: {text.splitlines()[0] if text else error}", err=True)
        sys.exit(2)
