"""What changed, in words, when an LA editor changes who is involved or told."""

from __future__ import annotations

from panelflow.workflows.diff import describe_changes
from panelflow.workflows.validation import validate_text
from tests.factories import WORKFLOWS_FILE


def _changed(old: str, new: str) -> list[str]:
    text = WORKFLOWS_FILE.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    before = validate_text(text).definitions
    after = validate_text(text.replace(old, new)).definitions
    assert before is not None and after is not None
    return describe_changes(before, after)


def test_an_agency_involved_in_consultations_is_named() -> None:
    assert _changed(
        "involves: [educational_psychology]", "involves: [educational_psychology, camhs]"
    ) == [
        "workflow 'ewo_consultation': agencies involved while a case is open changed from "
        "educational_psychology to educational_psychology, camhs"
    ]


def test_the_virtual_school_rule_is_described_both_ways() -> None:
    assert _changed(
        "pupils: looked_after or previously_looked_after or has_social_worker",
        "pupils: looked_after or previously_looked_after",
    ) == [
        "the virtual school head now sees pupils who are looked_after or "
        "previously_looked_after (was looked_after or previously_looked_after or "
        "has_social_worker)"
    ]
    assert _changed("    - request_ewo_consultation    # brought to an EWO consultation\n", "") == [
        "the virtual school head is now told about the steps add_to_agenda, "
        "escalate_to_support_first, refer_for_formal_action, refer_to_social_care, "
        "raise_safeguarding_concern (was add_to_agenda, escalate_to_support_first, "
        "request_ewo_consultation, refer_for_formal_action, refer_to_social_care, "
        "raise_safeguarding_concern)"
    ]
