"""The ``funding:`` section of a workflow file: items and approval bands, every mistake as
LINE:COLUMN with a plain message; which band an amount falls in; and what the version diff
says when the rules change. Money is read by ``parse_money``, the same reader the forms use."""

from __future__ import annotations

from pathlib import Path

import pytest

from panelflow.workflows.definitions import ApprovalBand, FundingRules
from panelflow.workflows.diff import describe_changes
from panelflow.workflows.money import MoneyError, format_money, parse_money
from panelflow.workflows.validation import validate_text

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = (ROOT / "config" / "workflows.yaml").read_text(encoding="utf-8")
BASE = """\
roles:
  panel_chair:
    agency: school
    label: Panel chair
  attendance_lead:
    agency: school
    label: School attendance lead
workflows:
  w:
    title: W
    initial: a
    states:
      - a
      - name: z
        final: true
    transitions:
      - trigger: close
        source: a
        dest: z
        allowed: [panel_chair]
"""
FIRST = BASE.count("\n") + 1  # the line 'funding:' is written on


def problems(funding: str) -> list[str]:
    result = validate_text(BASE + funding)
    return [f"{p.line - FIRST + 1}:{p.column}: {p.message}" for p in result.problems]


def rules(funding: str) -> FundingRules:
    result = validate_text(BASE + funding)
    assert result.ok, result.problems
    assert result.definitions is not None and result.definitions.funding is not None
    return result.definitions.funding


LADDER = """\
funding:
  items:
    transport: Transport (bus pass, taxi, fuel)
    group_programme: A place on a group programme
  approval:
    - up_to: "£150"
      approved_by: [panel_chair, attendance_lead]
    - up_to: £750
      approved_by: panel_chair
      second_approval_by: [attendance_lead, panel_chair]
"""


def test_the_shipped_file_declares_the_funding_ladder() -> None:
    result = validate_text(SHIPPED)
    assert result.definitions is not None
    funding = result.definitions.funding
    assert funding is not None
    assert {"transport", "mentoring", "group_programme", "uniform", "equipment", "other"} <= set(
        funding.items
    )
    assert [b.up_to for b in funding.approval] == [15000, 75000]
    assert funding.approval[1].second_approval_by == ("attendance_lead", "panel_chair")


def test_a_ladder_is_read_into_bands() -> None:
    read = rules(LADDER)

    assert read.items["transport"] == "Transport (bus pass, taxi, fuel)"
    assert read.approval == (
        ApprovalBand(15000, ("panel_chair", "attendance_lead")),
        ApprovalBand(75000, ("panel_chair",), ("attendance_lead", "panel_chair")),
    )
    assert read.limit == 75000


@pytest.mark.parametrize(
    ("pence", "band"),
    [(1, 0), (15000, 0), (15001, 1), (75000, 1), (75001, None)],
)
def test_an_amount_falls_in_the_first_band_that_covers_it(pence: int, band: int | None) -> None:
    read = rules(LADDER)

    found = read.band_for(pence)

    assert found == (read.approval[band] if band is not None else None)


def test_a_last_band_without_a_limit_takes_any_amount() -> None:
    read = rules(
        LADDER + "    - approved_by: [panel_chair]\n      second_approval_by: [attendance_lead]\n"
    )

    assert read.limit is None
    assert read.band_for(10_000_000) == read.approval[2]
    assert read.approval[2].needs_second


def test_a_file_without_funding_has_no_funding_rules() -> None:
    result = validate_text(BASE)

    assert result.ok and result.definitions is not None
    assert result.definitions.funding is None


@pytest.mark.parametrize(
    ("funding", "expected"),
    [
        (
            "funding: yes\n",
            ["1:10: 'funding' must be a section of 'key: value' lines, but it is yes/no (yes)"],
        ),
        (
            "funding:\n  items:\n    transport: Transport\n",
            [
                "2:3: 'funding' has no 'approval': add 'approval:' listing who approves how "
                "much, smallest amount first"
            ],
        ),
        (
            LADDER.replace("  approval:", "  aproval:"),
            [
                "5:3: unknown key 'aproval' in 'funding'; did you mean 'approval'? "
                "(allowed here: items, approval)"
            ],
        ),
        (
            LADDER.replace("    transport: Transport (bus pass, taxi, fuel)\n", "")
            .replace("    group_programme: A place on a group programme\n", "")
            .replace("  items:\n", "  items: [transport, uniform]\n"),
            [
                "2:10: 'items' of 'funding' must give each item a short name and the words "
                "people see, one per line, like 'transport: Transport (bus pass, taxi, fuel)'"
            ],
        ),
        (
            LADDER.replace("    transport: Transport", "    Bus Pass: Transport"),
            [
                "3:5: the funding item name 'Bus Pass' must be lower-case words joined by "
                "underscores, like 'bus_pass'"
            ],
        ),
        (
            LADDER.replace('up_to: "£150"', 'up_to: "£1.50.0"'),
            [
                "6:14: 'up_to' of approval band 1 of 'funding': '£1.50.0' is not an amount "
                "of money: write it like 45, £12.50 or £1,200"
            ],
        ),
        (
            LADDER.replace("up_to: £750", "up_to: £100"),
            [
                "8:14: approval band 2 of 'funding' goes up to £100.00, which is not more "
                "than band 1 (£150.00); list the bands from the smallest amount to the largest"
            ],
        ),
        (
            LADDER.replace('    - up_to: "£150"\n', "    - approved_by: [panel_chair]\n").replace(
                "      approved_by: [panel_chair, attendance_lead]\n", ""
            ),
            [
                "6:7: approval band 1 of 'funding' has no 'up_to', but only the last band "
                "may be without a limit; add 'up_to:' with the most this band approves, "
                'like "£150"'
            ],
        ),
        (
            LADDER.replace(
                "second_approval_by: [attendance_lead, panel_chair]",
                "second_approval_by: [atendance_lead]",
            ),
            [
                "10:28: role 'atendance_lead' in 'second_approval_by' of approval band 2 of "
                "'funding' is not declared under 'roles:'; did you mean 'attendance_lead'?"
            ],
        ),
        (
            LADDER.replace("approved_by: [panel_chair, attendance_lead]", "approved_by: []"),
            [
                "7:20: 'approved_by' of approval band 1 of 'funding' is empty; name the roles "
                "who may approve, like [panel_chair]"
            ],
        ),
        (
            LADDER.replace('up_to: "£150"', 'up_to: "£0"'),
            [
                "6:14: 'up_to' of approval band 1 of 'funding' is £0.00; a band must approve "
                'some money, like "£150"'
            ],
        ),
        (
            "funding:\n  items: {}\n  approval: []\n",
            [
                "2:10: 'items' of 'funding' is empty; list what panels can fund, one per line, "
                "like 'transport: Transport (bus pass, taxi, fuel)'",
                "3:13: 'approval' of 'funding' must be a list of bands, smallest amount first, "
                "each starting with '- up_to:' and naming who approves it under 'approved_by:'",
            ],
        ),
    ],
)
def test_mistakes_are_explained_where_they_are(funding: str, expected: list[str]) -> None:
    assert problems(funding) == expected


def test_several_mistakes_are_all_reported() -> None:
    broken = (
        LADDER.replace("    transport: Transport", "    Bus Pass: Transport")
        .replace("up_to: £750", "up_to: £100")
        .replace("approved_by: panel_chair\n", "approved_by: panel_chiar\n")
    )

    assert [line.split(":")[0] for line in problems(broken)] == ["3", "8", "9"]


# -- money -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("£12", 1200),
        ("12.50", 1250),
        ("12.5", 1250),
        ("1,200", 120000),
        ("£1,200.50", 120050),
        (" £ 45 ", 4500),
        ("0", 0),
        ("10,000,000", 1_000_000_000),
    ],
)
def test_money_as_people_write_it(text: str, pence: int) -> None:
    assert parse_money(text) == pence


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no amount is given: write it like 45, £12.50 or £1,200"),
        ("£", "no amount is given: write it like 45, £12.50 or £1,200"),
        ("abc", "'abc' is not an amount of money: write it like 45, £12.50 or £1,200"),
        ("-5", "'-5' is below zero: write the amount without a minus sign"),
        (
            "12.345",
            "'12.345' has more than two figures of pence: write it like 45, £12.50 or £1,200",
        ),
        (
            "1,20",
            "'1,20' has a comma in the wrong place: put commas only between thousands, "
            "like £1,200, or leave them out",
        ),
        ("£10,000,000.01", "'£10,000,000.01' is more than £10,000,000: check the amount"),
        ("12 pounds", "'12 pounds' is not an amount of money: write it like 45, £12.50 or £1,200"),
    ],
)
def test_money_that_is_not_money(text: str, message: str) -> None:
    with pytest.raises(MoneyError) as refused:
        parse_money(text)

    assert str(refused.value) == message


def test_money_is_written_back_with_pounds_and_pence() -> None:
    assert [format_money(p) for p in (0, 4500, 120050, -500)] == [
        "£0.00",
        "£45.00",
        "£1,200.50",
        "-£5.00",
    ]


# -- what changed between versions -------------------------------------------------------------


def _set(text: str):  # type: ignore[no-untyped-def]
    result = validate_text(text)
    assert result.definitions is not None, result.problems
    return result.definitions


def test_the_version_diff_reports_funding_changes() -> None:
    before = _set(BASE + LADDER)
    after = _set(
        BASE
        + LADDER.replace("up_to: £750", "up_to: £900")
        .replace("    transport: Transport (bus pass, taxi, fuel)\n", "    transport: Travel\n")
        .replace("  approval:\n", "    uniform: Uniform\n  approval:\n")
    )

    changes = describe_changes(before, after)

    assert "funding item 'uniform' added (Uniform)" in changes
    assert (
        "funding item 'transport' renamed from 'Transport (bus pass, taxi, fuel)' to 'Travel'"
        in changes
    )
    assert (
        "funding approval changed from up to £150.00: approved by panel_chair, attendance_lead; "
        "up to £750.00: approved by panel_chair, then a second approval by attendance_lead, "
        "panel_chair to up to £150.00: approved by panel_chair, attendance_lead; up to £900.00: "
        "approved by panel_chair, then a second approval by attendance_lead, panel_chair"
    ) in changes
    assert describe_changes(_set(BASE), before)[0].startswith("funding rules added: 2 items")
    assert describe_changes(before, _set(BASE)) == [
        "funding rules removed: panels can no longer propose funding"
    ]
    assert describe_changes(before, _set(BASE + LADDER)) == [
        "no change to any procedure (only comments or layout changed)"
    ]
