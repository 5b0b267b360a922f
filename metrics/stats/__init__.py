"""Statistics beside the flow that are not SPC: funnel plots for comparing units across trusts."""
