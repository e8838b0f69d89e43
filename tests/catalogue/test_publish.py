"""Publishing: only valid files, versions with hash/author/diff, live pickup without restart."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panelflow.audit.models import AuditRecord
from panelflow.catalogue.models import WorkflowVersion
from panelflow.catalogue.operations import engine_for, live_version, publish
from panelflow.db import Database
from panelflow.roles import Actor


def test_publishing_stores_the_version_with_hash_author_and_summary(
    session: Session, workflows_text: str, editor: Actor
) -> None:
    result = publish(session, workflows_text, "config/workflows.yaml", editor)
    session.commit()

    assert result.ok
    version = session.scalars(select(WorkflowVersion)).one()
    assert version.number == 1
    assert version.content == workflows_text
    assert version.content_hash == hashlib.sha256(workflows_text.encode()).hexdigest()
    assert version.published_by == "Wendy Editor"
    assert version.changes.startswith("first version: 4 workflows")
    audit = session.scalars(select(AuditRecord)).one()
    assert audit.action == "workflow.publish"
    assert audit.workflow_version == 1


def test_an_invalid_file_is_never_published_and_the_live_version_stays(
    session: Session, published: WorkflowVersion, workflows_text: str, editor: Actor
) -> None:
    broken = workflows_text.replace("dest: intensive_support", "dest: intesive_support", 1)

    result = publish(session, broken, "config/workflows.yaml", editor)
    session.commit()

    assert not result.ok
    assert any(
        "'intesive_support', which is not defined; did you mean 'intensive_support'?" in p.message
        for p in result.problems
    )
    assert live_version(session).number == 1  # type: ignore[union-attr]
    assert session.scalar(select(func.count()).select_from(WorkflowVersion)) == 1


def test_republishing_an_identical_file_is_refused(
    session: Session, published: WorkflowVersion, workflows_text: str, editor: Actor
) -> None:
    result = publish(session, workflows_text, "config/workflows.yaml", editor)

    assert not result.ok
    assert result.refusal == "this file is identical to the live version 1; nothing to publish"


def test_a_new_version_records_what_changed_in_plain_words_and_a_line_diff(
    session: Session, published: WorkflowVersion, workflows_text: str, editor: Actor
) -> None:
    changed = workflows_text.replace(
        "title: Support first", "title: Support first (graduated response)", 1
    )
    assert changed != workflows_text

    result = publish(session, changed, "config/workflows.yaml", editor)
    session.commit()

    assert result.ok and result.version is not None
    assert result.version.number == 2
    assert (
        "workflow 'support_first': title changed from 'Support first' to "
        "'Support first (graduated response)'"
    ) in result.version.changes.splitlines()
    assert "-    title: Support first\n" in result.version.diff
    assert "+    title: Support first (graduated response)\n" in result.version.diff


def test_another_process_sees_a_new_version_without_restarting(
    db: Database,
    session: Session,
    published: WorkflowVersion,
    workflows_text: str,
    editor: Actor,
) -> None:
    other_process = Database(db.url)  # its own engine and connection pool
    try:
        with other_process.sessions() as request:  # a request served before the publish
            assert live_version(request).number == 1  # type: ignore[union-attr]
        changed = workflows_text.replace(
            "title: EWO consultation", "title: EWO consultation (SPIRAL)", 1
        )
        publish(session, changed, "config/workflows.yaml", editor)
        session.commit()
        with other_process.sessions() as request:  # its next request
            live = live_version(request)
            assert live is not None and live.number == 2
            workflow = engine_for(live).workflow("ewo_consultation")
            assert workflow is not None and workflow.title == "EWO consultation (SPIRAL)"
    finally:
        other_process.dispose()


def test_a_rebuilt_database_reusing_version_ids_is_never_served_a_stale_engine(
    db: Database, session: Session, workflows_text: str, editor: Actor
) -> None:
    from panelflow.catalogue.operations import pinned
    from tests.conftest import empty_database

    first = publish(session, workflows_text, "config/workflows.yaml", editor).version
    session.commit()
    assert first is not None and pinned(session, first.id).engine.workflow("school_panel")
    session.close()

    empty_database(db)  # e.g. a restore from an older backup: version ids start again
    renamed = workflows_text.replace("\n  school_panel:\n", "\n  panel:\n", 1)
    renamed = renamed.replace("workflow: school_panel", "workflow: panel")
    second = publish(session, renamed, "config/workflows.yaml", editor).version
    session.commit()

    assert second is not None and second.id == first.id
    engine = pinned(session, second.id).engine
    assert engine.workflow("panel") is not None
    assert engine.workflow("school_panel") is None
