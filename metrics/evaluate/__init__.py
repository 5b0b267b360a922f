"""Stage 3, evaluate: derive every rule's columns for every encounter, then evaluate the YAML metric definitions per
ward."""
