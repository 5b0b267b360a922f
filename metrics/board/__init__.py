"""What the boards read, worked out once per snapshot: how fresh the data is, and each ward's standing and totals.

Why this exists: the dashboard only draws. The rules behind what it draws (when
data is stale, how many reds a ward has, how a site's total is made) live here
so that the command line, the board report and the views give the same answer.
"""
