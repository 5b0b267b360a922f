"""Demo mode shows only synthetic data: NHS numbers by their Modulus 11 check digit, sources by what they say."""

from __future__ import annotations

import pytest

from metrics.access.demo_data import demo_refusal, is_nhs_number, is_real_nhs_number


@pytest.mark.parametrize(
    ("text", "valid", "real"),
    [
        # text             Modulus 11 valid   could be a real patient's
        ("9434765919", True, True),  # the Data Dictionary's worked example: check digit 9
        ("943 476 5919", True, True),  # spaced as printed on letters
        ("943-476-5919", True, True),
        ("9434765918", False, False),  # wrong check digit
        ("4010232137", True, True),  # remainder 0: check digit 0 when 11 - 0 = 11
        ("4010232138", False, False),
        ("1000000010", False, False),  # 11 - remainder = 10: never a valid number
        ("9990000018", True, False),  # valid, but in the 999 range kept for testing
        ("943476591", False, False),  # nine digits
        ("94347659190", False, False),  # eleven digits
        ("P9900012", False, False),  # the synthetic generator's patient ids
        ("E-7A-000123", False, False),  # an encounter id
        ("٩٤٣٤٧٦٥٩١٩", False, False),  # digits, but not ASCII ones
    ],
)
def test_nhs_numbers_are_recognised_by_their_check_digit(text, valid, real):
    assert (is_nhs_number(text), is_real_nhs_number(text)) == (valid, real)


@pytest.mark.parametrize(
    ("source", "identifiers", "refused_because"),
    [
        ("synthetic trust (generated)", ["E1", "E2"], None),
        ("Synthetic sample", ["9990000018"], None),
        (None, ["E1"], None),  # no snapshot yet: nothing to show
        ("EPR nightly PRODUCTION", ["E1"], "the current extract's source does not say it is synthetic"),
        ("synthetic", ["E1", "9434765919", "4010232137"], "2 stored identifier(s) are valid NHS numbers"),
    ],
)
def test_demo_mode_is_refused_when_the_data_looks_real(source, identifiers, refused_because):
    refusal = demo_refusal(source, identifiers)
    if refused_because is None:
        assert refusal is None
    else:
        assert refusal is not None and refused_because in refusal
        assert "9434765919" not in refusal and "mode: oidc" in refusal


def test_both_reasons_are_given_together():
    refusal = demo_refusal("Trust EPR PRODUCTION", ["9434765919"])
    assert refusal is not None and refusal.startswith(
        "Demo mode is refused: the current extract's source does not say it is synthetic and "
        "1 stored identifier(s) are valid NHS numbers"
    )
