"""Demo mode must only ever show synthetic data: refuse it when the data looks real.

Why this exists: ``mode: demo`` has no sign-in and lets anyone pick any role,
including ward staff who see patient lists. Pointed by mistake at a real
extract, it would show real patients to anyone, under a banner saying the
data is synthetic. So demo mode is refused (every page, not only the
administrator's) when the current snapshot's source does not say it is
synthetic, or when a stored identifier is a valid NHS number. Refusing is
safer than a louder banner: a banner does not stop anyone reading a list.

An NHS number is ten digits whose tenth is the Modulus 11 check digit of the
first nine (weights 10 down to 2; 11 minus the remainder, 11 read as 0, 10
never valid). Numbers starting 999 are the range NHS England keeps for
testing and never issues to a patient, so synthetic data may use them.

Source: NHS England Data Dictionary, "NHS Number" (check digit: Modulus 11 algorithm).
"""

from __future__ import annotations

from collections.abc import Iterable

TEST_RANGE_PREFIX = "999"
SYNTHETIC_WORD = "synthetic"


def is_nhs_number(text: str) -> bool:
    """True when ``text`` (spaces and hyphens allowed) is ten digits with a valid Modulus 11 check digit."""
    digits = text.replace(" ", "").replace("-", "")
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    remainder = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    check = 11 - remainder
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def is_real_nhs_number(text: str) -> bool:
    """A valid NHS number outside the 999 test range: a number that may belong to a real patient."""
    digits = text.replace(" ", "").replace("-", "")
    return is_nhs_number(digits) and not digits.startswith(TEST_RANGE_PREFIX)


def demo_refusal(source: str | None, identifiers: Iterable[str]) -> str | None:
    """Why demo mode must not show this snapshot, or None when it may. Never repeats an identifier."""
    problems = []
    if source is not None and SYNTHETIC_WORD not in source.lower():
        problems.append("the current extract's source does not say it is synthetic")
    real = sum(1 for value in identifiers if value and is_real_nhs_number(str(value)))
    if real:
        problems.append(f"{real} stored identifier(s) are valid NHS numbers")
    if not problems:
        return None
    return (
        "Demo mode is refused: " + " and ".join(problems) + ", so this may be real patient data, and demo mode has "
        "no sign-in. Load only synthetic data (python -m metrics demo) into a demo store, or set `mode: oidc` in "
        "config/access.yaml so staff sign in (docs/access.md)."
    )
