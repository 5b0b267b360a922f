"""Reading the configuration files the synthetic trust follows (wards.yaml, clinical.yaml).

Why this exists: the generator runs from the project root, a test folder or a bench, so a relative
config path is tried as given first and then under the project root.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _resolve(path: Path) -> Path:
    path = Path(path)
    if not path.exists() and not path.is_absolute() and (PROJECT_ROOT / path).exists():
        return PROJECT_ROOT / path
    return path


def load_yaml(path: Path) -> dict[str, Any]:
    """The YAML document at ``path`` (tried under the project root if not found as given); {} if empty."""
    with open(_resolve(path), encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}
