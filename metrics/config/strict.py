"""One strict base for every configuration model.

Why this exists: a hospital's YAML must be refused when it carries a key the
dashboard does not know (a typo such as ``lable`` would otherwise be ignored
silently) and a loaded setting must never change under a running board. Every
config model, in every file, inherits both rules from here.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A pydantic model that forbids unknown keys and cannot be changed once built."""

    model_config = ConfigDict(extra="forbid", frozen=True)
