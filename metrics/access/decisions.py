"""Who may do what: one pure function decides every request.

Why this exists: the huddle view shows which patient in which bed has missed a
dose; a corridor wall screen must show nothing of the kind, and an executive
needs every ward but no patient. Every page asks ``decide(principal, view,
ward_code, action)`` before it draws anything, so no view can forget. The
answer carries its reason, which the page shows on a refusal and the audit log
keeps. Nothing here reads files, the store or Streamlit: a principal is built
by the caller (the demo role picker, the identity provider's claims through
``metrics.access.config``, or a kiosk token through ``metrics.access.kiosk_tokens``)
and the policy is the table ``POLICY`` below.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a person (or a wall screen) is there to do. Roles are granted per ward in config/access.yaml."""

    WARD_STAFF = "ward_staff"
    MATRON = "matron"
    EXECUTIVE = "executive"
    ANALYST = "analyst"
    ADMINISTRATOR = "administrator"
    ASSESSOR = "assessor"  # records ward accreditation visits, for every ward
    SYSTEM = "system"  # the integrated care system's view across trusts: aggregate bundles only
    # a wall screen's token: issued with `python -m metrics kiosk-token create`, never granted in access.yaml
    KIOSK = "kiosk"


class View(StrEnum):
    HUDDLE = "huddle"
    WALL = "wall"
    EXEC = "exec"
    SPC = "spc"
    STATUS = "status"
    ADMIN = "admin"
    ACCREDITATION = "accreditation"
    SYSTEM = "system"


class Action(StrEnum):
    VIEW_BOARD = "view_board"  # open the view and see its aggregate content (tiles, counts, charts)
    VIEW_PATIENT_LIST = "view_patient_list"
    EXPORT_CSV = "export_csv"
    PRINT_SHEET = "print_sheet"
    RECORD_HUDDLE_INPUT = "record_huddle_input"
    VIEW_QUARANTINE_RAW = "view_quarantine_raw"
    MANAGE_TOKENS = "manage_tokens"
    VIEW_AUDIT = "view_audit"
    RECORD_ASSESSMENT = "record_assessment"  # record a ward accreditation visit


class PrincipalKind(StrEnum):
    DEMO = "demo"  # the demo role picker on the synthetic sample
    USER = "user"  # signed in through the trust's identity provider
    KIOSK = "kiosk"  # a wall screen holding a kiosk token


ROLE_LABELS: dict[Role, str] = {
    Role.WARD_STAFF: "ward staff",
    Role.MATRON: "matron",
    Role.EXECUTIVE: "executive",
    Role.ANALYST: "analyst",
    Role.ADMINISTRATOR: "administrator",
    Role.ASSESSOR: "assessor",
    Role.SYSTEM: "system",
    Role.KIOSK: "wall screen",
}

VIEW_LABELS: dict[View, str] = {
    View.HUDDLE: "the ward huddle",
    View.WALL: "the wall screen",
    View.EXEC: "the executive wall",
    View.SPC: "the SPC charts",
    View.STATUS: "data status",
    View.ADMIN: "administration",
    View.ACCREDITATION: "ward accreditation",
    View.SYSTEM: "the system view across trusts",
}

ACTION_LABELS: dict[Action, str] = {
    Action.VIEW_BOARD: "open",
    Action.VIEW_PATIENT_LIST: "see patient lists on",
    Action.EXPORT_CSV: "export CSV from",
    Action.PRINT_SHEET: "print the huddle sheet from",
    Action.RECORD_HUDDLE_INPUT: "record huddle ratings and actions on",
    Action.VIEW_QUARANTINE_RAW: "see the content of quarantined rows on",
    Action.MANAGE_TOKENS: "manage wall screen tokens on",
    Action.VIEW_AUDIT: "see the audit log on",
    Action.RECORD_ASSESSMENT: "record an accreditation visit on",
}

# Actions that show or carry patient-level data (which patient, which bed). The printed sheet has no patient identity.
PATIENT_LEVEL: frozenset[Action] = frozenset({Action.VIEW_PATIENT_LIST, Action.EXPORT_CSV})

# Views that show every ward at once: only a grant covering every ward may open them.
TRUST_WIDE_VIEWS: frozenset[View] = frozenset({View.EXEC, View.SPC, View.SYSTEM})

_HUDDLE_TEAM = frozenset(
    {Action.VIEW_BOARD, Action.VIEW_PATIENT_LIST, Action.EXPORT_CSV, Action.PRINT_SHEET, Action.RECORD_HUDDLE_INPUT}
)
_BOARD = frozenset({Action.VIEW_BOARD})
_AGGREGATE_WITH_CSV = frozenset({Action.VIEW_BOARD, Action.EXPORT_CSV})

# The policy: role -> view -> the actions allowed there. Anything not listed is refused.
# Ward scope comes from the grant (config/access.yaml or the kiosk token), not from this table.
POLICY: dict[Role, dict[View, frozenset[Action]]] = {
    Role.WARD_STAFF: {View.HUDDLE: _HUDDLE_TEAM, View.WALL: _BOARD, View.STATUS: _BOARD, View.ACCREDITATION: _BOARD},
    Role.MATRON: {View.HUDDLE: _HUDDLE_TEAM, View.WALL: _BOARD, View.STATUS: _BOARD, View.ACCREDITATION: _BOARD},
    Role.EXECUTIVE: {
        View.HUDDLE: _BOARD,
        View.ACCREDITATION: _BOARD,
        View.WALL: _BOARD,
        View.EXEC: _BOARD,
        View.SPC: _AGGREGATE_WITH_CSV,
        View.STATUS: _BOARD,
    },
    Role.ANALYST: {View.EXEC: _BOARD, View.SPC: _AGGREGATE_WITH_CSV, View.STATUS: _BOARD},
    Role.ADMINISTRATOR: {
        View.STATUS: frozenset({Action.VIEW_BOARD, Action.VIEW_QUARANTINE_RAW}),
        View.ADMIN: frozenset({Action.VIEW_BOARD, Action.MANAGE_TOKENS, Action.VIEW_AUDIT, Action.EXPORT_CSV}),
    },
    Role.ASSESSOR: {
        View.ACCREDITATION: frozenset({Action.VIEW_BOARD, Action.RECORD_ASSESSMENT}),
        View.HUDDLE: _BOARD,
        View.WALL: _BOARD,
        View.STATUS: _BOARD,
    },
    Role.SYSTEM: {View.SYSTEM: _BOARD},
    Role.KIOSK: {View.WALL: _BOARD},
}


def _ward(code: str) -> str:
    return str(code).strip().upper()


@dataclass(frozen=True)
class Grant:
    """One role over a set of wards (``wards=None``: every ward)."""

    role: Role
    wards: frozenset[str] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))
        if self.wards is not None:
            wards = frozenset(_ward(w) for w in self.wards)
            if not wards or any(not w for w in wards):
                raise ValueError(
                    f"a grant's wards must be None (every ward) or a non-empty set of ward codes, got: {self.wards!r}"
                )
            object.__setattr__(self, "wards", wards)

    def covers(self, ward_code: str) -> bool:
        return self.wards is None or _ward(ward_code) in self.wards

    def describe(self) -> str:
        """'ward staff for 7A, 7B' or 'executive (every ward)'."""
        label = ROLE_LABELS[self.role]
        return f"{label} (every ward)" if self.wards is None else f"{label} for {', '.join(sorted(self.wards))}"


@dataclass(frozen=True)
class Principal:
    """Who is asking: a named person or wall screen with the grants they hold (possibly none)."""

    kind: PrincipalKind
    name: str
    grants: tuple[Grant, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", PrincipalKind(self.kind))
        if not str(self.name).strip():
            raise ValueError(f"a principal needs a name (the user, or the kiosk token's label), got: {self.name!r}")
        object.__setattr__(self, "grants", tuple(self.grants))
        if self.kind is PrincipalKind.KIOSK and any(g.role is not Role.KIOSK for g in self.grants):
            raise ValueError("a kiosk token carries only the kiosk role")
        if self.kind is not PrincipalKind.KIOSK and any(g.role is Role.KIOSK for g in self.grants):
            raise ValueError("the kiosk role belongs to wall screen tokens, not to people")

    @property
    def roles(self) -> tuple[Role, ...]:
        """The roles held, each once, in the order of Role."""
        held = {g.role for g in self.grants}
        return tuple(r for r in Role if r in held)

    @property
    def role_label(self) -> str:
        """What the audit log records as the role: 'matron', 'ward_staff+matron', 'kiosk' or 'none'."""
        return "+".join(r.value for r in self.roles) or "none"

    def describe(self) -> str:
        return "; ".join(g.describe() for g in self.grants) or "no role"


def demo_principal(role: Role | str, wards: Iterable[str] | None = None) -> Principal:
    """The principal the demo role picker makes: one role, over ``wards`` (None: every ward)."""
    role = Role(role)
    if role is Role.KIOSK:
        raise ValueError("the demo picker offers people's roles; a wall screen uses a kiosk token")
    grant = Grant(role, None if wards is None else frozenset(wards))
    return Principal(PrincipalKind.DEMO, f"demo {ROLE_LABELS[role]}", (grant,))


def kiosk_principal(label: str, wards: Iterable[str]) -> Principal:
    """A wall screen holding a valid kiosk token for ``wards``."""
    return Principal(PrincipalKind.KIOSK, label, (Grant(Role.KIOSK, frozenset(wards)),))


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def _refusal_rank(reason_kind: str) -> int:
    return {"view": 0, "action": 1, "scope": 2}[reason_kind]


def decide(principal: Principal | None, view: View | str, ward_code: str | None, action: Action | str) -> Decision:
    """Allowed or refused, with the reason, for ``principal`` doing ``action`` on ``view`` (for ``ward_code``, or not
    about one ward).

    A request is allowed when one of the principal's grants allows it: the role's
    policy lists the action on the view, and the grant covers the ward (a view
    showing every ward needs a grant over every ward). The wall never shows
    patient-level data, whoever asks. On a refusal, the reason is the most
    specific one found (ward scope before action before view).
    """
    view, action = View(view), Action(action)
    if principal is None:
        return Decision(False, "You are not signed in.")
    if view is View.WALL and action in PATIENT_LEVEL:
        return Decision(False, "The wall screen never shows patient-level data, whoever asks.")
    if not principal.grants:
        return Decision(
            False,
            f"{principal.name} has no role here: an administrator maps your identity-provider groups to roles in "
            "config/access.yaml.",
        )
    best: tuple[int, str] | None = None

    def refuse(kind: str, reason: str) -> None:
        nonlocal best
        if best is None or _refusal_rank(kind) > best[0]:
            best = (_refusal_rank(kind), reason)

    for grant in principal.grants:
        role_label = ROLE_LABELS[grant.role]
        actions = POLICY[grant.role].get(view)
        if actions is None:
            refuse("view", f"{VIEW_LABELS[view].capitalize()} is not open to {role_label} access.")
            continue
        if action not in actions:
            if view is View.HUDDLE and action in _HUDDLE_TEAM:
                refuse(
                    "action",
                    f"As {role_label} you see aggregate views only: patient lists, their export, the printed sheet and "
                    "huddle input are for the ward's own staff and matron.",
                )
            else:
                refuse("action", f"As {role_label} you may not {ACTION_LABELS[action]} {VIEW_LABELS[view]}.")
            continue
        if view in TRUST_WIDE_VIEWS and grant.wards is not None:
            refuse(
                "scope",
                f"{VIEW_LABELS[view].capitalize()} shows every ward; your access covers "
                f"{', '.join(sorted(grant.wards))} only ({grant.describe()}).",
            )
            continue
        if ward_code is not None and not grant.covers(ward_code):
            refuse("scope", f"Ward {_ward(ward_code)} is not one of your wards ({grant.describe()}).")
            continue
        where = f" for ward {_ward(ward_code)}" if ward_code is not None else ""
        return Decision(True, f"{ACTION_LABELS[action].capitalize()} {VIEW_LABELS[view]}{where} as {grant.describe()}.")
    assert best is not None
    return Decision(False, best[1])


def permitted_wards(
    principal: Principal | None, view: View | str, action: Action | str, ward_codes: Iterable[str]
) -> list[str]:
    """Those of ``ward_codes`` (in their order) for which ``decide`` allows ``action`` on ``view``: what a ward picker
    offers."""
    return [code for code in ward_codes if decide(principal, view, code, action).allowed]


def policy_markdown() -> str:
    """docs/access.md: the policy table as a data-protection officer reads it (generated; a test checks it matches
    POLICY)."""
    views = [v for v in View]
    lines = [
        "# Who sees what",
        "",
        "Generated from `metrics/access/py` (`POLICY`) by `python -m metrics.access.decisions > docs/access.md`; a "
        "test fails if it drifts.",
        "",
        "Every page asks `decide(principal, view, ward, action)` before drawing anything. A role is granted over wards "
        "in",
        "`config/access.yaml` (ward staff and matrons: their wards; the other roles: every ward); a wall screen's "
        "kiosk token",
        "carries its own wards. A refusal is shown plainly, nothing else is drawn, and it is written to the audit log.",
        "",
        "| role | " + " | ".join(f"{v.value}" for v in views) + " |",
        "|---|" + "---|" * len(views),
    ]
    for role in Role:
        cells = []
        for view in views:
            actions = POLICY[role].get(view)
            cells.append(", ".join(a.value for a in Action if actions and a in actions) or "refused")
        lines.append(f"| {role.value} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Rules applied before the table:",
        "",
        "* The wall never shows patient-level data ("
        + ", ".join(sorted(a.value for a in PATIENT_LEVEL))
        + "), whoever asks.",
        "* "
        + ", ".join(sorted(v.value for v in TRUST_WIDE_VIEWS))
        + " show every ward at once: only a grant over every ward opens them.",
        "* Ward staff and matrons see a ward's board, lists and huddle only for their own wards; `?ward=` another ward "
        "is refused.",
        "* Nobody signed in, or signed in with no role mapped in config/access.yaml, is refused everything.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(policy_markdown(), end="")


def openable_views(principal: Principal | None, views: Iterable[View | str] = tuple(View)) -> list[View]:
    """Those of ``views`` (in their order) the principal may open at all: what its navigation offers."""
    return [View(v) for v in views if decide(principal, v, None, Action.VIEW_BOARD).allowed]
