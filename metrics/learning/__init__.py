"""Learning from harm: each harm incident's learning response (PSIRF), when it is due, and recurring themes."""
