"""Who may see what: the access decision table, access.yaml, and kiosk tokens for wall screens."""
