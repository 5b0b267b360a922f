"""Improvement at ward level: notes on SPC charts, and the improvement board (projects and their PDSA cycles)."""
