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
        "a list item here is indented differently from the items above it; start every item "
        "of a list with '-' in the same column",
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
        "'*' starts an alias in YAML; to mean any state write it in quotes: \"*\"",
    ),
    (
        "did not find expected alphabetic or numeric character",
        "'*' or '&' starts a YAML alias or anchor; to use it as text put it in quotes: \"*\"",
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
    problem = f"{error.problem or ''} {error.context or ''}"
    message = None
    for needle, hint in _YAML_HINTS:
        if needle in problem:
            message = hint
            break
    if message is None:
        detail = (error.problem or "the text is not valid YAML").strip()
        message = f"this line cannot be read as YAML ({detail}); check quotes and indentation"
    if mark is None:
        return Problem(1, 1, message)
    return _problem_at(mark, message)


_TAB_INDENT = re.compile(r"^[ ]*\t")


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
    bad = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        return None, [
            Problem(
                line,
                column,
                "this file contains a control character that is "
                "not text; a workflow file must be plain text",
            )
        ]
    return text, []


def load(data: bytes | str) -> tuple[Located | None, list[Problem]]:
    """Parse a workflow file into ``Located`` values, collecting every problem."""
    text, problems = decode(data)
    if text is None:
        return None, problems
    problems = _tab_problems(text)
    if problems:
        return None, problems
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as error:
        return None, [_explain_yaml_error(error)]
    except yaml.YAMLError as error:  # errors without a position
        return None, [Problem(1, 1, f"this file cannot be read as YAML ({error})")]
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        return None, [
            Problem(
                1,
                1,
                "the file is empty: it needs at least 'roles:' and 'workflows:' "
                "sections (see docs/workflow-reference.md)",
            )
        ]
    if len(nodes) > 1:
        extra = nodes[1]
        return None, [
            _problem_at(
                extra.start_mark,
                "the file holds more than one YAML document ('---' "
                "separates them); keep everything in one document",
            )
        ]
    root = _convert(nodes[0], problems)
    return root, problems


def _convert(node: yaml.Node, problems: list[Problem]) -> Located:
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
                problems.append(
                    Problem(
                        key_line,
                        key_column,
                        f"'{key}' appears twice in the same section "
                        f"(first on line {first}); remove one or give it another name",
                    )
                )
                continue
            positions[key] = (key_line, key_column)
            values[key] = _convert(value_node, problems)
        return Located(values, line, column, "map", key_positions=positions)
    if isinstance(node, yaml.SequenceNode):
        return Located([_convert(item, problems) for item in node.value], line, column, "list")
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
