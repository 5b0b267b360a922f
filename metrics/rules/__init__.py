"""Stage 2, the clinical rules: one module per published rule (NEWS2, AKI, sepsis screen, missed critical doses,
assessments, staffing), with the clock they share."""
