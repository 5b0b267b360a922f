"""Loading and validating config/huddle.yaml and config/barometer.yaml.

Why this exists: what the team is asked at the huddle (the 1-5 questions and
the hint for each score, the roles, the shifts) and each ward's Safety
Barometer (which indicators, which thresholds, which improvement aim) are a
hospital's own choices, made in YAML, never in code. A wrong file must be
refused with every problem listed at once, each naming the file, the line,
the item and the field, the same way as ``metrics.config``: structure first
(pydantic models, ``extra="forbid"``), then meaning (``_internal_problems``:
ids unique, every chosen indicator in the library, the aim's indicator among
the ward's chosen ones) and, given the rest of the configuration, meaning
across files (``_cross_file_problems``: a ward must be in wards.yaml, an EPR
indicator's metric in metrics.yaml).

Both files are optional to ``metrics.config.load_config`` (a hospital that
has not written them yet still gets its board; the huddle panel says what is
missing); ``load_huddle_config`` needs both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from metrics.config.strict import Strict
from metrics.config.yaml_loader import ItemNames, load_yaml_model
from metrics.extract.contract import HARM_LEVELS, INCIDENT_TYPES
from metrics.evaluate.definitions import Direction
from metrics.errors import ConfigError
from metrics.config.yaml_loader import line_of

if TYPE_CHECKING:
    from metrics.config.models import AppConfig

HUDDLE_FILE = "huddle.yaml"
BAROMETER_FILE = "barometer.yaml"
SCORES = (1, 2, 3, 4, 5)
CODE_PATTERN = r"^[a-z][a-z0-9_]{0,19}$"  # stored in a 20-character column


# ---- huddle.yaml ------------------------------------------------------------------------------
class RatingKind(str, Enum):
    """The two questions the team answers 1 to 5 at the huddle."""

    RELIABILITY = "reliability"
    FEEL_SAFE = "feel_safe"


class RatingScale(Strict):
    question: str = Field(min_length=1)
    label: str = Field(min_length=1)
    hints: dict[int, str]

    @field_validator("hints")
    @classmethod
    def _one_hint_per_score(cls, hints: dict[int, str]) -> dict[int, str]:
        if set(hints) != set(SCORES):
            missing = sorted(set(SCORES) - set(hints))
            extra = sorted(set(hints) - set(SCORES))
            detail = "; ".join(
                p for p in (f"missing {missing}" if missing else "", f"not a score: {extra}" if extra else "") if p
            )
            raise ValueError(f"hints must give exactly the scores 1, 2, 3, 4 and 5 ({detail})")
        if any(not str(text).strip() for text in hints.values()):
            raise ValueError("every hint needs some words")
        return hints


class HuddleCoded(Strict):
    code: str = Field(pattern=CODE_PATTERN)
    label: str = Field(min_length=1)


class HuddleShift(HuddleCoded):
    # London local time the shift's huddle period starts ("07:00"); see metrics.huddle.shifts
    starts: time | None = None

    @field_validator("starts", mode="before")
    @classmethod
    def _quoted_hh_mm(cls, value: object) -> object:
        """YAML reads an unquoted 19:00 as the number 1140: only a quoted "HH:MM" is accepted."""
        if value is None or isinstance(value, time):
            return value
        if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
            raise ValueError(f'starts must be a quoted London time "HH:MM" such as "07:00", got {value!r}')
        return value


CrossHarm = Literal["fall", "pressure_ulcer", "medication", "c_diff"]  # metrics.huddle.safety_cross.CROSS_HARMS


class SafetyCrossSetup(Strict):
    """Which harms get a safety cross on the huddle board: every ward's, and a ward's own choice where it has one."""

    harms: tuple[CrossHarm, ...] = Field(default=("fall",), min_length=1)
    wards: dict[str, tuple[CrossHarm, ...]] = Field(default_factory=dict)

    def for_ward(self, ward_code: str) -> tuple[str, ...]:
        chosen = {code.upper(): harms for code, harms in self.wards.items()}
        return tuple(chosen.get(ward_code.upper()) or self.harms)


class HuddleFile(Strict):
    ratings: dict[RatingKind, RatingScale]
    roles: tuple[HuddleCoded, ...] = Field(min_length=1)
    shifts: tuple[HuddleShift, ...] = Field(min_length=1)
    late_entry_days: int = Field(default=7, ge=0, le=31)
    trend_days: int = Field(default=30, ge=7, le=365)
    comment_max_chars: int = Field(default=280, ge=20, le=2000)
    safety_cross: SafetyCrossSetup = Field(default_factory=SafetyCrossSetup)

    @field_validator("ratings")
    @classmethod
    def _both_kinds(cls, ratings: dict[RatingKind, RatingScale]) -> dict[RatingKind, RatingScale]:
        missing = [k.value for k in RatingKind if k not in ratings]
        if missing:
            raise ValueError(
                f"ratings must define {', '.join(k.value for k in RatingKind)}; missing {', '.join(missing)}"
            )
        return ratings

    @field_validator("shifts")
    @classmethod
    def _starts_all_or_none(cls, shifts: tuple[HuddleShift, ...]) -> tuple[HuddleShift, ...]:
        given = [s.starts for s in shifts if s.starts is not None]
        if given and len(given) != len(shifts):
            raise ValueError("give every shift a starts time (HH:MM, London time) or none of them")
        if len(set(given)) != len(given):
            raise ValueError("no two shifts may start at the same time")
        return shifts


# ---- barometer.yaml ---------------------------------------------------------------------------
class Domain(str, Enum):
    """The three parts of the barometer, in the order the panel shows them."""

    HARM = "harm"
    POSITIVE = "positive"
    CULTURE = "culture"


DOMAIN_LABELS = {Domain.HARM: "Harm", Domain.POSITIVE: "Positive safety", Domain.CULTURE: "Safety culture and staff"}

IncidentType = Enum("IncidentType", {t.upper(): t.upper() for t in INCIDENT_TYPES}, type=str)  # type: ignore[misc]
HarmLevel = Enum("HarmLevel", {h.upper(): h for h in HARM_LEVELS}, type=str)  # type: ignore[misc]


class Thresholds(Strict):
    """RAG thresholds, as in metrics.yaml: lower is better {green_max, amber_max}; higher is better {green_min,
    amber_min}."""

    green_max: float | None = None
    amber_max: float | None = None
    green_min: float | None = None
    amber_min: float | None = None


def threshold_problem(direction: Direction | None, rag: Thresholds | None) -> str | None:
    """Why ``rag`` does not fit ``direction`` (None when it does)."""
    if rag is None:
        return None
    if direction is None or direction is Direction.NEUTRAL:
        return "a neutral indicator has no rag; give direction lower_is_better or higher_is_better"
    if direction is Direction.LOWER:
        if rag.green_max is None or rag.amber_max is None or rag.green_min is not None or rag.amber_min is not None:
            return "a lower_is_better indicator's rag is {green_max, amber_max}"
        if rag.green_max > rag.amber_max:
            return f"rag.green_max ({rag.green_max:g}) must not exceed rag.amber_max ({rag.amber_max:g})"
        return None
    if rag.green_min is None or rag.amber_min is None or rag.green_max is not None or rag.amber_max is not None:
        return "a higher_is_better indicator's rag is {green_min, amber_min}"
    if rag.green_min < rag.amber_min:
        return f"rag.green_min ({rag.green_min:g}) must not be below rag.amber_min ({rag.amber_min:g})"
    return None


class _Indicator(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)
    label: str = Field(min_length=1)
    domain: Domain
    description: str = ""
    unit: str = ""
    direction: Direction | None = None
    rag: Thresholds | None = None

    @model_validator(mode="after")
    def _thresholds_fit(self) -> _Indicator:
        own_rag = not isinstance(self, EprIndicator)  # an EPR indicator may take its metric's RAG
        if own_rag and (self.direction is None or self.direction is Direction.NEUTRAL or self.rag is None):
            raise ValueError("needs direction (lower_is_better or higher_is_better) and rag thresholds")
        problem = threshold_problem(self.direction, self.rag)
        if problem:
            raise ValueError(problem)
        return self


class EprIndicator(_Indicator):
    """Today's value of a tile from the current snapshot (metrics.yaml); its RAG is the metric's unless rag is given."""

    source: Literal["epr"]
    metric: str


class IncidentIndicator(_Indicator):
    """Incidents of some types (at least a harm level, or a pressure ulcer category): a count in a window, or days
    since the last."""

    source: Literal["incidents"]
    incident_types: tuple[IncidentType, ...] = Field(min_length=1)
    min_harm: HarmLevel = HarmLevel.NONE  # type: ignore[attr-defined]  # members made from HARM_LEVELS
    min_category: int | None = Field(default=None, ge=1, le=4)
    measure: Literal["count", "days_since"] = "count"
    window_days: int = Field(default=30, ge=1, le=400)

    @field_validator("incident_types", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return [str(v).upper() for v in value] if isinstance(value, list | tuple) else value


class FeedbackIndicator(_Indicator):
    """Compliments or complaints counted in a window, or the Friends and Family Test's % positive in a window."""

    source: Literal["patient_feedback"]
    feedback: Literal["compliment", "complaint", "fft"]
    window_days: int = Field(default=30, ge=1, le=200)


class WorkforceIndicator(_Indicator):
    """A monthly workforce figure for the latest month supplied."""

    source: Literal["workforce"]
    field: Literal["sickness_absence_pct", "training_compliance_pct", "turnover_pct"]


class HuddleIndicator(_Indicator):
    """The median of today's huddle ratings of one kind."""

    source: Literal["huddle"]
    rating: RatingKind


Indicator = Annotated[
    EprIndicator | IncidentIndicator | FeedbackIndicator | WorkforceIndicator | HuddleIndicator,
    Field(discriminator="source"),
]
SOURCES = ("epr", "incidents", "patient_feedback", "workforce", "huddle")


class WardChoice(Strict):
    """A library indicator chosen by a ward, with the ward's own thresholds or label."""

    id: str
    rag: Thresholds | None = None
    label: str | None = None


class Aim(Strict):
    """The ward's improvement aim: an indicator reaching ``target`` by a date (``baseline`` is where a lower-is-better
    aim started)."""

    text: str = Field(min_length=1)
    indicator: str
    target: float
    by: date
    baseline: float | None = None


class WardBarometer(Strict):
    indicators: tuple[str | WardChoice, ...] = Field(min_length=1)
    aim: Aim | None = None

    def choices(self) -> tuple[WardChoice, ...]:
        return tuple(WardChoice(id=c) if isinstance(c, str) else c for c in self.indicators)


class GaugePoints(Strict):
    green: float = 100
    amber: float = 50
    red: float = 0


class Gauge(Strict):
    points: GaugePoints = GaugePoints()
    green_min: float = Field(default=75, ge=0, le=100)
    amber_min: float = Field(default=50, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> Gauge:
        if self.amber_min > self.green_min:
            raise ValueError(f"amber_min ({self.amber_min:g}) must not exceed green_min ({self.green_min:g})")
        if not (0 <= self.points.red <= self.points.amber <= self.points.green <= 100):
            raise ValueError("points must rise from red to amber to green, within 0-100")
        return self


class BarometerFile(Strict):
    gauge: Gauge = Gauge()
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    default: WardBarometer
    wards: dict[str, WardBarometer] = {}

    def library(self) -> dict[str, Any]:
        return {i.id: i for i in self.indicators}

    def for_ward(self, ward_code: str) -> tuple[WardBarometer, bool]:
        """The ward's own set (True) or the default (False)."""
        for code, setup in self.wards.items():
            if code.upper() == ward_code.upper():
                return setup, True
        return self.default, False


@dataclass(frozen=True)
class HuddleConfig:
    """Both files, validated."""

    directory: Path
    huddle: HuddleFile
    barometer: BarometerFile

    def scale(self, kind: RatingKind | str) -> RatingScale:
        return self.huddle.ratings[RatingKind(kind)]

    @property
    def role_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.huddle.roles)

    @property
    def shift_codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.huddle.shifts)

    def role_label(self, code: str | None) -> str:
        return next((r.label for r in self.huddle.roles if r.code == code), code or "")

    def shift_label(self, code: str | None) -> str:
        return next((s.label for s in self.huddle.shifts if s.code == code), code or "")


# ---- loading ----------------------------------------------------------------------------------
_UNION_TAGS = {"str", "WardChoice", *SOURCES}
_ITEMS = ItemNames(words={"indicators": "indicator", "wards": "ward", "ratings": "rating"})


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The error location as a path into the YAML: pydantic's union and discriminator tags taken out."""
    return tuple(p for p in loc if not (isinstance(p, str) and (p in _UNION_TAGS or p.startswith("function-"))))


def _load(path: Path, model: type[BaseModel], problems: list[str]) -> tuple[Any, Any]:
    """One file through the shared loader, with this file's item names; file names without their folder."""
    found: list[str] = []
    result = load_yaml_model(path, model, found, names=_ITEMS, clean_loc=_clean_loc)
    problems.extend(p.replace(str(path), path.name, 1) for p in found)
    return result


def _ward_sets(barometer: BarometerFile, raw: Any) -> list[tuple[str, WardBarometer, tuple[Any, ...]]]:
    """(who, set, its path in the YAML) for the default and every listed ward."""
    sets: list[tuple[str, WardBarometer, tuple[Any, ...]]] = [("the default set", barometer.default, ("default",))]
    sets += [(f"ward `{code}`", setup, ("wards", code)) for code, setup in barometer.wards.items()]
    return sets


def _internal_problems(barometer: BarometerFile, raw: Any) -> list[str]:
    problems: list[str] = []
    library = barometer.library()
    seen: set[str] = set()
    for i, ind in enumerate(barometer.indicators):
        if ind.id in seen:
            problems.append(
                f"{BAROMETER_FILE} line {line_of(raw, ('indicators', i))}: indicator `{ind.id}` is defined twice; ids "
                "must be unique."
            )
        seen.add(ind.id)
    for who, setup, path in _ward_sets(barometer, raw):
        chosen: list[str] = []
        for j, choice in enumerate(setup.choices()):
            line = line_of(raw, (*path, "indicators", j))
            if choice.id not in library:
                problems.append(
                    f"{BAROMETER_FILE} line {line}: {who}: unknown indicator {choice.id!r}; choose one of the "
                    f"library's ids ({', '.join(sorted(library))})."
                )
                continue
            if choice.id in chosen:
                problems.append(f"{BAROMETER_FILE} line {line}: {who}: indicator `{choice.id}` is chosen twice.")
            chosen.append(choice.id)
            problem = threshold_problem(library[choice.id].direction, choice.rag) if choice.rag is not None else None
            if problem and library[choice.id].direction is not None:
                problems.append(f"{BAROMETER_FILE} line {line}: {who}, indicator `{choice.id}`: {problem}.")
        aim = setup.aim
        if aim is not None:
            line = line_of(raw, (*path, "aim", "indicator"))
            if aim.indicator not in chosen:
                problems.append(
                    f"{BAROMETER_FILE} line {line}: {who}, field `aim.indicator`: {aim.indicator!r} is not one of this "
                    f"set's indicators ({', '.join(chosen)})."
                )
            elif (
                isinstance(library[aim.indicator], IncidentIndicator)
                and library[aim.indicator].measure == "days_since"
                and aim.target < 1
            ):
                problems.append(
                    f"{BAROMETER_FILE} line {line}: {who}, field `aim.target`: a days-since aim needs a target of at "
                    "least 1 day."
                )
    return problems


def _cross_file_problems(barometer: BarometerFile, raw: Any, cfg: AppConfig) -> list[str]:
    problems: list[str] = []
    ward_codes = cfg.ward_codes
    for code in barometer.wards:
        if code.upper() not in ward_codes:
            line = line_of(raw, ("wards", code))
            problems.append(
                f"{BAROMETER_FILE} line {line}: ward `{code}` is not in wards.yaml; correct the code or add the ward "
                "there."
            )
    metrics = {m.id: m for m in cfg.metrics}
    for i, ind in enumerate(barometer.indicators):
        if not isinstance(ind, EprIndicator):
            continue
        line = line_of(raw, ("indicators", i, "metric"))
        metric = metrics.get(ind.metric)
        if metric is None:
            problems.append(
                f"{BAROMETER_FILE} line {line}: indicator `{ind.id}`, field `metric`: {ind.metric!r} is not a metric "
                "in metrics.yaml."
            )
        elif ind.rag is None and metric.rag is None:
            problems.append(
                f"{BAROMETER_FILE} line {line}: indicator `{ind.id}`: metric `{ind.metric}` has no RAG thresholds; "
                "give the indicator direction and rag."
            )
    return problems


def huddle_config_problems(
    directory: Path, cfg: AppConfig | None = None, *, optional: bool = False
) -> tuple[HuddleConfig | None, list[str]]:
    """Validate both files in ``directory``: (the config, or None, and every problem, each starting with the file
    name)."""
    directory = Path(directory)
    problems: list[str] = []
    paths = (directory / HUDDLE_FILE, directory / BAROMETER_FILE)
    if optional and not any(p.exists() for p in paths):
        return None, []
    huddle, huddle_raw = _load(paths[0], HuddleFile, problems)
    if huddle is not None and cfg is not None:
        for code in huddle.safety_cross.wards:
            if code.upper() not in cfg.ward_codes:
                line = line_of(huddle_raw, ("safety_cross", "wards", code))
                problems.append(
                    f"{HUDDLE_FILE} line {line}: safety_cross ward `{code}` is not in wards.yaml; "
                    "correct the code or add the ward there."
                )
    barometer, raw = _load(paths[1], BarometerFile, problems)
    if barometer is not None:
        problems += _internal_problems(barometer, raw)
        if cfg is not None:
            problems += _cross_file_problems(barometer, raw, cfg)
    if problems or huddle is None or barometer is None:
        return None, problems
    return HuddleConfig(directory, huddle, barometer), []


def load_huddle_config(config_dir: Path | str, app_cfg: AppConfig | None = None) -> HuddleConfig:
    """Load and validate huddle.yaml and barometer.yaml; raise ConfigError listing every problem (file, line, field).

    With ``app_cfg`` the barometer's wards and EPR metrics are also checked against wards.yaml and metrics.yaml.
    """
    directory = Path(config_dir)
    loaded, problems = huddle_config_problems(directory, app_cfg)
    if problems or loaded is None:
        raise ConfigError([f"{directory}/{p}" for p in problems])
    return loaded
