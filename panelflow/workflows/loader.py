"""Read a workflow file into values that remember where they were written.

PyYAML composes the text into nodes that carry their line and column; ``Located`` keeps those
positions on every value so each problem can name ``FILE:LINE:COLUMN``. Problems PyYAML would
hide (duplicate keys, tabs) or show as a traceback (binary files, syntax errors) become plain
messages here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALARS = yaml.SafeLoader("")  # a constructor for plain scalars (int, bool, null)

BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
NULL_TAG = "tag:yaml.org,2002:null"
STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, at a 1-based line and column."""

    line: int
    column: int
    message: str

    def format(self, filename: str) -> str:
        return f"{filename}:{self.line}:{self.column}: {self.message}"


@dataclass
class Located:
    """A YAML value with its position.

    ``value`` is a ``dict[str, Located]`` for mappings, a ``list[Located]`` for lists, and a
    Python scalar otherwise. ``text`` is the scalar as written (so ``no`` stays the word "no"
    where a name is expected); ``key_positions`` gives where each key of a mapping is written.
    """

    value: Any
    line: int
    column: int
    kind: str  # "map", "list" or "scalar"
    tag: str = ""
    text: str = ""
    key_positions: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def is_map(self) -> bool:
        return self.kind == "map"

    @property
    def is_list(self) -> bool:
        return self.kind == "list"

    @property
    def is_scalar(self) -> bool:
        return self.kind == "scalar"

    def key_at(self, key: str) -> tuple[int, int]:
        return self.key_positions.get(key, (self.line, self.column))

    def key_node(self, key: str) -> Located:
        """A mapping's key as a value of its own, for checking keys that are names."""
        line, column = self.key_at(key)
        return Located(key, line, column, "scalar", tag=STR_TAG, text=key)

    def describe(self) -> str:
        """The type of value in an editor's words."""
        if self.is_map:
            return "a section of keys"
        if self.is_list:
            return "a list"
        if self.tag == NULL_TAG:
            return "empty"
        if self.tag == BOOL_TAG:
            return f"yes/no ({self.text})"
        if self.tag in (INT_TAG, FLOAT_TAG):
            return f"a number ({self.text})"
        return f"text ('{self.text}')"


def _problem_at(mark: Any, message: str) -> Problem:
    return Problem(mark.line + 1, mark.column + 1, message)


_BARE_STAR = (
    'a value cannot start with a bare *; to mean "any state that is not final" write it in '
    'quotes: "*" (and put any other text that starts with * in quotes)'
)
_YAML_HINTS = [
    (
        "mapping values are not allowed",
        "there is a ':' where YAML does not expect one; if a label or title contains ': ', "
        "put the whole text in quotes, or check the indentation of this line",
    ),
    (
        "could not find expected ':'",
        "this line should be 'key: value' but has no ':', or it is indented differently "
        "from the lines around it",
    ),
    (
        "did not find expected key",
        "the indentation here does not match the lines above; line up keys of the same "
        "section in the same column",
    ),
    (
        "did not find expected '-' indicator",
        "the indentation here does not match the lines above; line up keys of the same "
        "section in the same column",
    ),
    (
        "expected <block end>",
        "the indentation here does not match the lines above; line up keys of the same "
        "section in the same column",
    ),
    (
        "found unexpected end of stream",
        "the file ends inside a quoted text; close the quotes",
    ),
    (
        "found undefined alias",
        _BARE_STAR,
    ),
    (
        "while scanning an alias",
        _BARE_STAR,
    ),
    (
        "did not find expected alphabetic or numeric character",
        _BARE_STAR,
    ),
    (
        "found unknown escape character",
        "a backslash inside double quotes starts an escape; use single quotes instead",
    ),
    (
        "found character that cannot start any token",
        "this character cannot start a value; put the value in quotes",
    ),
    (
        "found a tab character",
        "a tab is used here; YAML needs spaces: replace the tab with spaces",
    ),
]


def _explain_yaml_error(error: yaml.MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    if error.context and "alias" in error.context and error.context_mark is not None:
        mark = error.context_mark  # point at the '*' itself
    problem = f"{error.problem or ''} {error.context or ''}"
    message = None
    for needle, hint in _YAML_HINTS:
        if needle in problem:
            message = hint
            break
    if message is None:
        detail = (error.problem or "the text is not valid YAML").strip()
        detail = " ".join(detail.split())
        message = f"this line cannot be read as YAML ({detail}); check quotes and indentation"
    if mark is None:
        return Problem(1, 1, message)
    return _problem_at(mark, message)


_TAB_INDENT = re.compile(r"^[ ]*\t")
# A value that opens with a quote: after "key: ", "- " or "- key: ".
_QUOTED_VALUE = re.compile(r"""^\s*(?:-\s+)?(?:[^\s"'#][^:#]*:\s+)?(["'])""")


def _closes(rest: str, quote: str) -> bool:
    """Whether ``rest`` (the text after an opening quote) closes it on the same line."""
    if quote == "'":
        return "'" in rest.replace("''", "")  # '' is a quote inside single quotes
    escaped = False
    for char in rest:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            return True
    return False


def _unclosed_quote(text: str, error: yaml.MarkedYAMLError) -> Problem | None:
    """A quote opened and not closed on its line, before the place YAML gave up.

    YAML lets quoted text run over several lines, so a forgotten closing quote shows up as
    a confusing error further down; the real mistake is the first unclosed quote above it.
    """
    mark = error.problem_mark or error.context_mark
    last = mark.line if mark is not None else len(text.splitlines())
    for number, line in enumerate(text.splitlines()[: last + 1], start=1):
        if line.lstrip().startswith("#"):
            continue
        match = _QUOTED_VALUE.match(line)
        if match and not _closes(line[match.end() :], match.group(1)):
            quote = match.group(1)
            return Problem(
                number,
                match.end(),
                f"the quote ({quote}) that starts this text is not closed on the same line; "
                f"add a closing {quote} at the end of the text",
            )
    return None


def _tab_problems(text: str) -> list[Problem]:
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _TAB_INDENT.match(line)
        if match:
            problems.append(
                Problem(
                    number,
                    match.end(),
                    "this line is indented with a tab; YAML needs spaces: replace the tab "
                    "with spaces (most editors can show tabs and convert them)",
                )
            )
    return problems


# Everything YAML accepts as text (the YAML 1.1 printable set); anything else is reported
# where it is, instead of as YAML's own two-line error.
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def decode(data: bytes | str) -> tuple[str | None, list[Problem]]:
    """Turn file bytes into text, or explain why they are not a text file."""
    if isinstance(data, str):
        text = data
    else:
        if b"\x00" in data[:8192]:
            return None, [
                Problem(
                    1,
                    1,
                    "this is not a text file (it looks like a binary file); "
                    "a workflow file must be plain text saved as UTF-8",
                )
            ]
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
            return None, [
                Problem(
                    line,
                    column,
                    "this file is not saved as UTF-8 text; save it again "
                    "choosing the UTF-8 encoding",
                )
            ]
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        return None, [
            Problem(
                line,
                column,
                "this file contains an invisible control character here (often left by "
                "copying text from another program); delete it and type the text again",
            )
        ]
    return text, []


def load(
    data: bytes | str, fixed_keys: frozenset[str] = frozenset()
) -> tuple[Located | None, list[Problem]]:
    """Parse a workflow file into ``Located`` values, collecting every problem.

    ``fixed_keys`` are the vocabulary's own keys: a duplicate of one is told to keep one,
    not to rename it.
    """
    text, problems = decode(data)
    if text is None:
        return None, problems
    problems = _tab_problems(text)
    if problems:
        return None, problems
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as error:
        return None, [_unclosed_quote(text, error) or _explain_yaml_error(error)]
    except yaml.YAMLError as error:  # errors without a position
        return None, [Problem(1, 1, f"this file cannot be read as YAML ({error})")]
    nodes = [n for n in nodes if n is not None and not _is_empty(n)]
    if not nodes:
        what = "is empty" if not text.strip() else "has only comments in it"
        return None, [
            Problem(
                1,
                1,
                f"the file {what}: it needs at least 'roles:' and 'workflows:' sections "
                "(see docs/workflow-reference.md)",
            )
        ]
    if len(nodes) > 1:
        return None, [
            Problem(
                _second_document_line(text, nodes[0].end_mark.line),
                1,
                "a '---' line splits the file in two, but a workflow file must be one "
                "document; remove this line",
            )
        ]
    try:
        root = _convert(nodes[0], problems, fixed_keys)
    except RecursionError:
        return None, [
            Problem(
                1,
                1,
                "the file is nested far too deeply to be a workflow file; a "
                "workflow file needs only a few levels of indentation",
            )
        ]
    return root, problems


def _is_empty(node: yaml.Node) -> bool:
    """A document with nothing in it (only '---' and comments)."""
    return isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG and node.value == ""


def _second_document_line(text: str, after: int) -> int:
    """The line of the '---' that starts the second document."""
    lines = text.splitlines()
    for number in range(max(after - 1, 0), len(lines)):
        if lines[number].startswith("---"):
            return number + 1
    for number, line in enumerate(lines, start=1):  # a marker before the first document
        if line.startswith("---") and number > 1:
            return number
    return max(after, 1)


def _convert(node: yaml.Node, problems: list[Problem], fixed_keys: frozenset[str]) -> Located:
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    if isinstance(node, yaml.MappingNode):
        values: dict[str, Located] = {}
        positions: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            key_column = key_node.start_mark.column + 1
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(
                    Problem(
                        key_line, key_column, "a key must be a plain word, not a list or a section"
                    )
                )
                continue
            key = str(key_node.value)
            if key == "<<":
                problems.append(
                    Problem(
                        key_line,
                        key_column,
                        "'<<' (YAML merge) is not supported in workflow files; write the keys out",
                    )
                )
                continue
            if key in positions:
                first = positions[key][0]
                if key in fixed_keys:
                    advice = f"keep only one '{key}:'"
                    if isinstance(value_node, yaml.MappingNode | yaml.SequenceNode):
                        advice += " and put everything under it"
                else:
                    advice = "remove one or give it another name"
                problems.append(
                    Problem(
                        key_line,
                        key_column,
                        f"'{key}' appears twice in the same section (first on line {first}); "
                        f"{advice}",
                    )
                )
                continue
            positions[key] = (key_line, key_column)
            values[key] = _convert(value_node, problems, fixed_keys)
        return Located(values, line, column, "map", key_positions=positions)
    if isinstance(node, yaml.SequenceNode):
        return Located(
            [_convert(item, problems, fixed_keys) for item in node.value], line, column, "list"
        )
    assert isinstance(node, yaml.ScalarNode)
    tag = node.tag
    if node.style in ("'", '"', "|", ">"):
        tag = STR_TAG
    value: Any = node.value
    if tag in (BOOL_TAG, INT_TAG, FLOAT_TAG, NULL_TAG):
        try:
            value = _SCALARS.construct_object(node)
        except (yaml.YAMLError, ValueError):
            value, tag = node.value, STR_TAG
    return Located(value, line, column, "scalar", tag=tag, text=str(node.value))
