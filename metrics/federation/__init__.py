"""Federation: aggregate-only bundles a trust exports and a system hub imports (no patient row ever leaves)."""
