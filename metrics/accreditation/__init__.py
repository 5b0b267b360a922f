"""Ward accreditation beside the board: the framework as YAML, scoring, levels and triangulation with live data."""
