"""Plan documents from the local authority's templates: the shipped ones work, values are
escaped, the sandbox holds, and every kind of mistake names the file and the line, on the
command line (``panelflow documents check``) as on the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from panelflow.cli import main
from panelflow.plans import documents
from panelflow.plans.documents import DOCUMENTS, DocumentProblem, example_values, render

SHIPPED = Path(__file__).resolve().parent.parent.parent / "config" / "documents"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for document in DOCUMENTS.values():
        text = (SHIPPED / document.file).read_text(encoding="utf-8")
        (tmp_path / document.file).write_text(text, encoding="utf-8")
    return tmp_path


def test_the_shipped_templates_make_both_documents() -> None:
    plan = render(DOCUMENTS["support_plan"], example_values(with_plan=True), SHIPPED)
    letter = render(DOCUMENTS["review_letter"], example_values(with_plan=True), SHIPPED)
    before_any_plan = render(DOCUMENTS["review_letter"], example_values(with_plan=False), SHIPPED)

    assert "Alex's attendance support plan" in plan
    assert "In school by 8:50 on four days a week, by 20 April 2026" in plan
    assert "An alarm at 7:15" in plan and "20 March 2026" in plan
    assert "How the targets went" in letter and "Partly met" in letter
    assert "How the targets went" not in before_any_plan
    assert documents.check(SHIPPED) == []


def test_what_people_typed_is_escaped() -> None:
    values = example_values(with_plan=True)
    values["plan"]["pupil_views"] = "<script>alert('hi')</script>"

    html = render(DOCUMENTS["support_plan"], values, SHIPPED)

    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def _write(folder: Path, name: str, text: str | bytes) -> None:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "<h1>{{ pupil.given_name }}</h1>\n<p>{% if plan %}\n<p>unclosed</p>\n",
            "support_plan.html:2: Unexpected end of template.",
        ),
        (
            "<h1>{{ pupil.given_name }}</h1>\n\n<p>{{ pupil.nmae }}</p>\n",
            "support_plan.html:3: 'dict object' has no attribute 'nmae'; the values a "
            "document can use are: pupil (given_name, family_name, full_name, date_of_birth, "
            "year_group)",
        ),
        (
            "<p>{{ plan.agreed_on }}</p>\n<p>{{ teacher }}</p>\n",
            "support_plan.html:2: 'teacher' is undefined; the values a document can use are: ",
        ),
        (
            "<p>ok</p>\n<p>{{ pupil.__class__.__mro__ }}</p>\n",
            "support_plan.html:2: the template tried something documents may not do (access "
            "to attribute '__class__' of 'dict' object is unsafe.)",
        ),
        (
            "<p>{{ plan.targets | frobnicate }}</p>\n",
            "support_plan.html:1: No filter named 'frobnicate'.",
        ),
        (
            b"<p>Caf\xe9</p>\n",
            "support_plan.html: the file is not text saved as UTF-8",
        ),
    ],
)
def test_a_mistake_names_the_file_and_the_line(
    folder: Path, text: str | bytes, expected: str
) -> None:
    _write(folder, "support_plan.html", text)

    with pytest.raises(DocumentProblem) as raised:
        render(DOCUMENTS["support_plan"], example_values(with_plan=True), folder)

    assert str(raised.value).startswith(str(folder / expected.split(":", 1)[0]))
    assert str(raised.value).removeprefix(str(folder) + "/").startswith(expected)


def test_the_sandbox_refuses_to_reach_python(folder: Path) -> None:
    _write(folder, "support_plan.html", "{{ ''.__class__.__mro__[1].__subclasses__() }}")

    with pytest.raises(DocumentProblem) as raised:
        render(DOCUMENTS["support_plan"], example_values(with_plan=True), folder)

    assert raised.value.line == 1
    assert raised.value.message.startswith("the template tried something documents may not do")


def test_a_missing_template_is_named(folder: Path) -> None:
    (folder / "review_letter.html").unlink()

    with pytest.raises(DocumentProblem, match=r"review_letter\.html: there is no template for"):
        render(DOCUMENTS["review_letter"], example_values(with_plan=True), folder)


def test_documents_check_passes_the_shipped_templates() -> None:
    result = CliRunner().invoke(main, ["documents", "check", str(SHIPPED)])

    assert result.exit_code == 0, result.output
    assert (
        "the document templates are ready (support_plan.html, review_letter.html)" in result.output
    )


def test_documents_check_lists_every_broken_template_and_fails(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(folder, "support_plan.html", "<p>ok</p>\n<p>{{ plan.targts }}</p>\n")
    _write(folder, "review_letter.html", "<p>{% for x in review.progress %}</p>\n")
    monkeypatch.setenv("PANELFLOW_DOCUMENTS", str(folder))

    result = CliRunner().invoke(main, ["documents", "check"])

    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(
        f"{folder}/support_plan.html:2: 'dict object' has no attribute 'targts'"
    )
    assert lines[1].startswith(f"{folder}/review_letter.html:1: Unexpected end of template")
    assert lines[2] == f"2 problems found in {folder}"


def test_the_folder_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PANELFLOW_DOCUMENTS", raising=False)
    assert documents.folder() == Path("config/documents")
    monkeypatch.setenv("PANELFLOW_DOCUMENTS", "/srv/la/documents")
    assert documents.folder() == Path("/srv/la/documents")
    assert documents.folder("/from/the/app") == Path("/from/the/app")
