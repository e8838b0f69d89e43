"""Which column of a school's export holds which value.

Each value has a key (``upn``, ``possible``, ``code_I``...). A mapping says, for each key,
the header of the column that holds it. ``suggest`` recognises the headers SIMS, Arbor and
Bromcom style exports use; a mapping given on the command line wins over the one remembered
for the school, which wins over the suggestion.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# DfE absence codes (school attendance guidance, 2024): authorised, then unauthorised.
AUTHORISED_CODES = ("C", "C1", "C2", "E", "I", "J1", "M", "R", "S", "T")
UNAUTHORISED_CODES = ("G", "N", "O", "U")
ABSENCE_CODES = AUTHORISED_CODES + UNAUTHORISED_CODES

LABELS: dict[str, str] = {
    "upn": "UPN",
    "name": "pupil's name",
    "given_name": "first name",
    "family_name": "surname",
    "date_of_birth": "date of birth",
    "period_start": "period start date",
    "period_end": "period end date",
    "week_commencing": "week commencing date",
    "possible": "possible sessions",
    "attended": "sessions attended",
    "authorised": "authorised absence",
    "unauthorised": "unauthorised absence",
}
for _code in ABSENCE_CODES:
    LABELS[f"code_{_code}"] = f"absence code {_code}"

NUMBER_KEYS = ("possible", "attended", "authorised", "unauthorised")

# Headers as MIS exports write them, lower case with everything but letters and digits
# removed: "Possible Sessions" is "possiblesessions".
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "upn": ("upn", "uniquepupilnumber", "pupilupn", "studentupn"),
    "name": ("name", "pupilname", "fullname", "studentname", "learnername", "pupil"),
    "given_name": ("forename", "firstname", "givenname", "legalforename", "preferredforename"),
    "family_name": ("surname", "lastname", "familyname", "legalsurname", "preferredsurname"),
    "date_of_birth": ("dob", "dateofbirth", "birthdate"),
    "period_start": ("startdate", "periodstart", "periodstartdate", "from", "fromdate", "datefrom"),
    "period_end": ("enddate", "periodend", "periodenddate", "to", "todate", "dateto"),
    "week_commencing": ("weekcommencing", "wc", "weekbeginning", "weekstarting", "weekstart"),
    "possible": (
        "possible",
        "possiblesessions",
        "possiblemarks",
        "sessionspossible",
        "possibleattendance",
    ),
    "attended": (
        "attended",
        "sessionsattended",
        "attendedsessions",
        "present",
        "presentaea",
        "presentmarks",
        "attendances",
    ),
    "authorised": (
        "authorised",
        "authorisedabsence",
        "authorisedabsences",
        "authabsence",
        "authabsences",
        "authorisedsessions",
    ),
    "unauthorised": (
        "unauthorised",
        "unauthorisedabsence",
        "unauthorisedabsences",
        "unauthabsence",
        "unauthabsences",
        "unauthorisedsessions",
    ),
}
_CODE_HEADER = re.compile(r"^(?:code\s+)?([A-Za-z]\d?)(?:\s*[-\u2013:(].*)?$")


def normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.casefold())


def _code_of(header: str) -> str | None:
    match = _CODE_HEADER.match(header.strip())
    if match is None:
        return None
    code = match[1].upper()
    return code if code in ABSENCE_CODES else None


def suggest(headers: Sequence[str]) -> dict[str, str]:
    """The mapping the headers suggest: key to header, for each key a header is known for."""
    found: dict[str, str] = {}
    for header in headers:
        if not header:
            continue
        plain = normalise(header)
        for key, names in _SYNONYMS.items():
            if key not in found and plain in names:
                found[key] = header
                break
        else:
            code = _code_of(header)
            if code is not None and f"code_{code}" not in found:
                found[f"code_{code}"] = header
    return found


def parse_pairs(pairs: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """``key=Header`` pairs as given on the command line, and the problems with them."""
    mapping: dict[str, str] = {}
    problems: list[str] = []
    for pair in pairs:
        key, equals, header = pair.partition("=")
        key = key.strip()
        if not equals or not header.strip():
            problems.append(
                f"--map {pair}: write the value and the column's header, like "
                '--map possible="Possible Sessions"'
            )
        elif key not in LABELS:
            problems.append(
                f"--map {pair}: '{key}' is not a value panelflow imports; it knows "
                + ", ".join(k for k in LABELS if not k.startswith("code_"))
                + ", and code_X for DfE absence code X"
            )
        else:
            mapping[key] = header.strip()
    return mapping, problems


@dataclass(frozen=True)
class Columns:
    """Where each mapped value is in a row: key to column index (from 0), and the header."""

    index: dict[str, int]
    headers: dict[str, str]

    def has(self, key: str) -> bool:
        return key in self.index

    @property
    def codes(self) -> list[str]:
        return [key.removeprefix("code_") for key in self.index if key.startswith("code_")]


def resolve(
    headers: Sequence[str],
    explicit: Mapping[str, str],
    remembered: Mapping[str, str],
) -> tuple[Columns, dict[str, str], list[tuple[int | None, str]]]:
    """The columns to read, the mapping to remember, and problems as (column index, text).

    A header the explicit mapping names must be in the file; a remembered one that is not is
    passed over for the suggestion (the school's export may have changed).
    """
    problems: list[tuple[int | None, str]] = []
    positions: dict[str, list[int]] = {}
    for place, header in enumerate(headers):
        if header:
            positions.setdefault(normalise(header), []).append(place)

    chosen: dict[str, str] = dict(suggest(headers))
    for key, header in remembered.items():
        if key in LABELS and normalise(header) in positions:
            chosen[key] = header
    for key, header in explicit.items():
        if normalise(header) not in positions:
            shown = ", ".join(f'"{h}"' for h in headers if h) or "none"
            problems.append(
                (
                    None,
                    f'there is no column "{header}" for the {LABELS[key]} (the columns are: '
                    f"{shown})",
                )
            )
            chosen.pop(key, None)
        else:
            chosen[key] = header

    index: dict[str, int] = {}
    for key, header in chosen.items():
        places = positions[normalise(header)]
        if len(places) > 1:
            problems.append(
                (
                    places[1],
                    f'two columns are headed "{header}"; rename one so the {LABELS[key]} is clear',
                )
            )
            continue
        index[key] = places[0]

    for _key, what, keys in unmapped(index):
        problems.append((None, f"no column holds the {what}; say which with --map {keys}"))
    columns = Columns(index, {key: headers[i] for key, i in index.items()})
    return columns, {key: headers[i] for key, i in index.items()}, problems


def unmapped(index: Mapping[str, object]) -> list[tuple[str, str, str]]:
    """The values an import needs that no column holds yet: for each, the key of the first
    column that would do, the value in words, and how to say which on the command line."""
    missing: list[tuple[str, str, str]] = []
    if "upn" not in index:
        named = "name" in index or ("given_name" in index and "family_name" in index)
        if not named or "date_of_birth" not in index:
            missing.append(
                (
                    "upn",
                    "pupil's UPN (or name and date of birth)",
                    'upn="HEADER" (or name="HEADER" and date_of_birth="HEADER")',
                )
            )
    if "week_commencing" not in index and not ("period_start" in index and "period_end" in index):
        missing.append(
            (
                "week_commencing",
                "period's dates",
                'period_start="HEADER" and period_end="HEADER" (or week_commencing="HEADER")',
            )
        )
    for key in NUMBER_KEYS:
        if key not in index:
            missing.append((key, LABELS[key], f'{key}="HEADER"'))
    return missing
