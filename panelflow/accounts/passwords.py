"""Password policy and hashing.

Passwords are hashed with scrypt (werkzeug). A new password must be at least
``MIN_LENGTH`` characters, must not be one of the commonly used or breached passwords that
the zxcvbn package ships (about 30,000, from public breach corpora), must not contain the
person's email name, and must not be easy to guess by zxcvbn's estimate.
"""

from __future__ import annotations

from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 256
# A hash to check against when the account does not exist, so that a wrong email takes as
# long to refuse as a wrong password.
_DUMMY_HASH = generate_password_hash("panelflow-not-a-password", method="scrypt")


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def problems_with(password: str, email: str = "", name: str = "") -> list[str]:
    """What is wrong with a proposed password, in words (empty when it is acceptable)."""
    if len(password) < MIN_LENGTH:
        return [f"Password must be {MIN_LENGTH} characters or more"]
    if len(password) > MAX_LENGTH:
        return [f"Password must be {MAX_LENGTH} characters or fewer"]
    lowered = password.lower()
    if lowered in _common() or lowered.rstrip("0123456789!") in _common():
        return ["Password is one of the most commonly used passwords; choose another"]
    local = email.split("@", 1)[0].lower()
    if len(local) >= 4 and local in lowered:
        return ["Password must not contain your email address"]
    inputs = [part for part in (email, name, *name.split()) if part]
    if zxcvbn(password[:100], user_inputs=inputs)["score"] < 3:
        return ["Password is too easy to guess; try a few unrelated words together"]
    return []


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches; spends the same effort when there is no stored hash."""
    if stored is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(stored, password)
