"""The configuration under config/: one line-aware YAML loader, one strict model base, the file models and the
cross-file checks."""
