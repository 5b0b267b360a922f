"""Stage 1, extract: the contract an EPR extract must meet, reading its files, converting columns and validating rows
(bad rows quarantined with their reason)."""
