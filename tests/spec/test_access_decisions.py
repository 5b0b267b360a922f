"""Who sees what: the access decision for role × view × ward × action, as a table a data-protection officer can audit.

Each row: a principal holding one role over some wards ("*": every ward), a
view, the ward asked for ("-": not about one ward), the action, the decision,
and words the reason must contain. Every page of the dashboard asks
``metrics.access.decide`` exactly this question before drawing anything.
"""

from __future__ import annotations

import itertools
import re

import pytest

from metrics.access.decisions import (
    PATIENT_LEVEL,
    POLICY,
    Action,
    Grant,
    Principal,
    PrincipalKind,
    Role,
    View,
    decide,
    demo_principal,
    kiosk_principal,
    permitted_wards,
)

TABLE = """
role            wards       view    ward  action                decision  because
# ward staff: their own wards, patient lists and all huddle work; nothing trust-wide
ward_staff      7A          huddle  -     view_board            allowed
ward_staff      7A          huddle  7A    view_board            allowed   as ward staff for 7A
ward_staff      7A          huddle  7A    view_patient_list     allowed
ward_staff      7A          huddle  7A    export_csv            allowed
ward_staff      7A          huddle  7A    print_sheet           allowed
ward_staff      7A          huddle  7A    record_huddle_input   allowed
ward_staff      7A          huddle  8C    view_board            refused   Ward 8C is not one of your wards (ward staff for 7A)
ward_staff      7A          huddle  8C    view_patient_list     refused   Ward 8C is not one of your wards
ward_staff      7A          huddle  8C    record_huddle_input   refused   Ward 8C is not one of your wards
ward_staff      7A          wall    7A    view_board            allowed
ward_staff      7A          wall    7A    view_patient_list     refused   never shows patient-level data
ward_staff      7A          wall    8C    view_board            refused   Ward 8C is not one of your wards
ward_staff      7A          exec    -     view_board            refused   The executive wall is not open to ward staff
ward_staff      7A          spc     -     view_board            refused   not open to ward staff
ward_staff      7A          status  -     view_board            allowed
ward_staff      7A          status  -     view_quarantine_raw   refused   may not see the content of quarantined rows
ward_staff      7A          admin   -     view_audit            refused   Administration is not open to ward staff
# matron: their wards, the same huddle work, and their wall screens
matron          7A,7B,8C    huddle  7B    view_patient_list     allowed
matron          7A,7B,8C    huddle  8C    print_sheet           allowed
matron          7A,7B,8C    huddle  9A    view_board            refused   Ward 9A is not one of your wards (matron for 7A, 7B, 8C)
matron          7A,7B,8C    wall    8C    view_board            allowed
matron          7A,7B,8C    wall    8C    print_sheet           refused   may not print the huddle sheet from the wall screen
matron          7A,7B,8C    wall    9A    view_board            refused   not one of your wards
matron          7A,7B,8C    exec    -     view_board            refused   not open to matron
matron          *           huddle  9A    view_patient_list     allowed
# executive: every ward, aggregate only
executive       *           huddle  9A    view_board            allowed   as executive (every ward)
executive       *           huddle  9A    view_patient_list     refused   aggregate views only
executive       *           huddle  7A    export_csv            refused   aggregate views only
executive       *           huddle  7A    print_sheet           refused   aggregate views only
executive       *           huddle  7A    record_huddle_input   refused   aggregate views only
executive       *           wall    7A    view_board            allowed
executive       *           wall    7A    view_patient_list     refused   never shows patient-level data
executive       *           exec    -     view_board            allowed
executive       *           exec    7A    view_board            allowed
executive       *           spc     -     view_board            allowed
executive       *           spc     -     export_csv            allowed
executive       *           status  -     view_board            allowed
executive       *           status  -     view_quarantine_raw   refused   may not see the content of quarantined rows
executive       *           admin   -     view_board            refused   not open to executive
# analyst: SPC and the executive wall, no patient list
analyst         *           exec    -     view_board            allowed
analyst         *           spc     -     view_board            allowed
analyst         *           spc     -     export_csv            allowed
analyst         *           huddle  7A    view_board            refused   The ward huddle is not open to analyst
analyst         *           huddle  7A    view_patient_list     refused   not open to analyst
analyst         *           wall    7A    view_board            refused   not open to analyst
analyst         *           status  -     view_quarantine_raw   refused   may not see the content
# administrator: config and data status in full, tokens, audit; no patient list
administrator   *           status  -     view_board            allowed
administrator   *           status  -     view_quarantine_raw   allowed
administrator   *           admin   -     view_board            allowed
administrator   *           admin   -     view_audit            allowed
administrator   *           admin   -     manage_tokens         allowed
administrator   *           admin   -     export_csv            allowed
administrator   *           huddle  7A    view_patient_list     refused   not open to administrator
administrator   *           wall    7A    view_board            refused   not open to administrator
administrator   *           exec    -     view_board            refused   not open to administrator
# assessor: records accreditation visits for every ward; aggregate views of the board, never a patient
assessor        *           accreditation  7A  record_assessment  allowed   as assessor (every ward)
assessor        *           accreditation  -   view_board         allowed
assessor        *           huddle  7A    view_board            allowed
assessor        *           huddle  7A    view_patient_list     refused   aggregate views only
assessor        *           huddle  7A    record_huddle_input   refused   aggregate views only
assessor        *           wall    7A    view_board            allowed
assessor        *           exec    -     view_board            refused   not open to assessor
# the accreditation page: the ward's own team and executives see it; only an assessor records a visit
ward_staff      7A          accreditation  7A  view_board         allowed
ward_staff      7A          accreditation  7A  record_assessment  refused   may not record an accreditation visit
matron          7A,7B,8C    accreditation  7B  record_assessment  refused   may not record an accreditation visit
executive       *           accreditation  7A  record_assessment  refused   may not record an accreditation visit
analyst         *           accreditation  -   view_board         refused   not open to analyst
# a wall screen's kiosk token: its wards, the wall alone, never a patient
kiosk           7A,7B       wall    7A    view_board            allowed   as wall screen for 7A, 7B
kiosk           7A,7B       wall    7B    view_board            allowed
kiosk           7A,7B       wall    8C    view_board            refused   Ward 8C is not one of your wards (wall screen for 7A, 7B)
kiosk           7A,7B       wall    7A    view_patient_list     refused   never shows patient-level data
kiosk           7A,7B       wall    7A    export_csv            refused   never shows patient-level data
kiosk           7A,7B       huddle  7A    view_board            refused   The ward huddle is not open to wall screen
kiosk           7A,7B       exec    -     view_board            refused   not open to wall screen
kiosk           7A,7B       system  -     view_board            refused   The system view across trusts is not open to wall screen
# system: the view across trusts (aggregate bundles from every trust) and nothing of any one trust's boards
system          *           system  -     view_board            allowed   as system (every ward)
system          *           system  -     export_csv            refused   may not export CSV from the system view across trusts
system          *           huddle  7A    view_board            refused   The ward huddle is not open to system
system          *           exec    -     view_board            refused   not open to system
system          *           status  -     view_board            refused   not open to system
executive       *           system  -     view_board            refused   The system view across trusts is not open to executive
analyst         *           system  -     view_board            refused   not open to analyst
ward_staff      7A          system  -     view_board            refused   not open to ward staff
kiosk           7A,7B       status  -     view_board            refused   not open to wall screen
kiosk           7A,7B       admin   -     manage_tokens         refused   not open to wall screen
"""  # noqa: E501 - a table read row by row: each row stays on one line


def _rows() -> list[tuple[str, ...]]:
    rows = []
    for line in TABLE.strip().splitlines()[1:]:
        if line.startswith("#"):
            continue
        cells = re.split(r"\s{2,}", line.strip(), maxsplit=6)
        rows.append(tuple(cells) + ("",) * (7 - len(cells)))
    return rows


def principal(role: str, wards: str) -> Principal:
    scope = None if wards == "*" else wards.split(",")
    if role == "kiosk":
        return kiosk_principal("Ward 7 corridor", scope or [])
    return demo_principal(role, scope)


@pytest.mark.parametrize(
    ("role", "wards", "view", "ward", "action", "decision", "because"), _rows(), ids=lambda v: v or "_"
)
def test_access_table(role, wards, view, ward, action, decision, because):
    result = decide(principal(role, wards), view, None if ward == "-" else ward, action)
    assert result.allowed is (decision == "allowed"), result.reason
    assert because in result.reason


def test_the_table_names_every_role_and_view():
    rows = _rows()
    assert {r[0] for r in rows} == {r.value for r in Role}
    assert {r[2] for r in rows} == {v.value for v in View}


# ---- properties the table illustrates, checked over every combination ---------------------------------------


ALL_COMBINATIONS = list(itertools.product(Role, View, Action))


@pytest.mark.parametrize(("role", "view", "action"), ALL_COMBINATIONS, ids=str)
def test_a_request_in_scope_is_allowed_exactly_when_the_policy_lists_it(role, view, action):
    who = (
        kiosk_principal("screen", ["7A"])
        if role is Role.KIOSK
        else demo_principal(role, None if role not in (Role.WARD_STAFF, Role.MATRON) else ["7A"])
    )
    if role in (Role.WARD_STAFF, Role.MATRON, Role.KIOSK) and view in (View.EXEC, View.SPC):
        expected = False  # trust-wide views are never open to ward-scoped roles (and the policy does not list them)
    else:
        expected = action in POLICY[role].get(view, frozenset()) and not (view is View.WALL and action in PATIENT_LEVEL)
    ward = "7A" if view in (View.HUDDLE, View.WALL) else None
    assert decide(who, view, ward, action).allowed is expected


@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("action", sorted(PATIENT_LEVEL), ids=str)
def test_the_wall_never_shows_patient_level_data_whoever_asks(role, action):
    who = kiosk_principal("screen", ["7A"]) if role is Role.KIOSK else demo_principal(role)
    decision = decide(who, View.WALL, "7A", action)
    assert not decision.allowed and "never shows patient-level data" in decision.reason


def test_only_the_wards_own_staff_and_matron_ever_see_patient_level_data():
    for role, views in POLICY.items():
        for view, actions in views.items():
            if role not in (Role.WARD_STAFF, Role.MATRON):
                patient_level = actions & PATIENT_LEVEL if view is View.HUDDLE else actions & {Action.VIEW_PATIENT_LIST}
                assert not patient_level, (role, view)


def test_nobody_signed_in_is_refused_everything():
    for view, action in itertools.product(View, Action):
        decision = decide(None, view, "7A", action)
        assert not decision.allowed and decision.reason == "You are not signed in."


def test_a_signed_in_user_with_no_role_is_refused_and_told_why():
    nobody = Principal(PrincipalKind.USER, "sam@example.nhs.uk", ())
    decision = decide(nobody, View.HUDDLE, "7A", Action.VIEW_BOARD)
    assert not decision.allowed
    assert "sam@example.nhs.uk has no role" in decision.reason and "config/access.yaml" in decision.reason


def test_several_roles_combine_and_the_refusal_names_the_most_specific_reason():
    both = Principal(
        PrincipalKind.USER, "pat@example.nhs.uk", (Grant(Role.WARD_STAFF, frozenset({"7A"})), Grant(Role.EXECUTIVE))
    )
    assert decide(both, View.HUDDLE, "7A", Action.VIEW_PATIENT_LIST).allowed
    assert decide(both, View.HUDDLE, "8C", Action.VIEW_BOARD).allowed  # as executive
    assert decide(both, View.EXEC, None, Action.VIEW_BOARD).allowed
    refused = decide(both, View.HUDDLE, "8C", Action.VIEW_PATIENT_LIST)
    assert not refused.allowed and refused.reason == "Ward 8C is not one of your wards (ward staff for 7A)."
    assert both.role_label == "ward_staff+executive"


def test_a_trust_wide_view_needs_a_grant_over_every_ward():
    narrow = Principal(PrincipalKind.USER, "x", (Grant(Role.EXECUTIVE, frozenset({"7A"})),))
    decision = decide(narrow, View.EXEC, None, Action.VIEW_BOARD)
    assert not decision.allowed and "shows every ward; your access covers 7A only" in decision.reason


def test_ward_codes_compare_case_insensitively():
    assert decide(demo_principal("ward_staff", ["7a"]), "huddle", "7A", "view_patient_list").allowed
    assert decide(demo_principal("ward_staff", ["7A"]), "huddle", " 7a ", "view_patient_list").allowed


def test_permitted_wards_is_what_a_ward_picker_offers():
    wards = ["7A", "7B", "8C", "9A"]
    assert permitted_wards(demo_principal("matron", ["7A", "7B", "8C"]), View.HUDDLE, Action.VIEW_BOARD, wards) == [
        "7A",
        "7B",
        "8C",
    ]
    assert permitted_wards(demo_principal("executive"), View.HUDDLE, Action.VIEW_BOARD, wards) == wards
    assert permitted_wards(demo_principal("executive"), View.HUDDLE, Action.VIEW_PATIENT_LIST, wards) == []
    assert permitted_wards(kiosk_principal("screen", ["7B"]), View.WALL, Action.VIEW_BOARD, wards) == ["7B"]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: Principal(PrincipalKind.KIOSK, "screen", (Grant(Role.EXECUTIVE),)),
            "a kiosk token carries only the kiosk role",
        ),
        (
            lambda: Principal(PrincipalKind.USER, "x", (Grant(Role.KIOSK, frozenset({"7A"})),)),
            "the kiosk role belongs to wall screen tokens",
        ),
        (lambda: Principal(PrincipalKind.USER, "  ", ()), "a principal needs a name"),
        (lambda: Grant(Role.MATRON, frozenset()), "a grant's wards must be None (every ward) or a non-empty set"),
        (lambda: demo_principal("kiosk"), "the demo picker offers people's roles"),
    ],
)
def test_principals_refuse_impossible_shapes(build, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        build()


def test_the_documented_table_is_the_policy():
    from pathlib import Path

    from metrics.access.decisions import policy_markdown

    committed = (Path(__file__).resolve().parents[2] / "docs" / "access.md").read_text()
    assert committed == policy_markdown(), "regenerate: python -m metrics.access.decisions > docs/access.md"
