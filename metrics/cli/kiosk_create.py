"""``python -m metrics kiosk-token create``: issue a wall screen token, its wards checked against the configuration.

Why this exists apart from ``metrics.cli.kiosk``: checking the wards loads the
whole configuration (and with it pandas and the metric definitions), which
listing or revoking tokens (``metrics.cli.kiosk_commands``) never needs.
"""

from __future__ import annotations

import argparse

from metrics.access.kiosk_tokens import create_token, parse_wards
from metrics.cli.kiosk_commands import command_line_actor, expiry
from metrics.config.load import load_config
from metrics.store.database import ready_engine


def cmd_create(args: argparse.Namespace) -> int:
    engine = ready_engine(args.db)
    wards = parse_wards(args.wards, load_config(args.config).ward_codes)
    issued = create_token(engine, wards, args.label, actor=command_line_actor(), expires_at=expiry(args))
    print(
        f"Kiosk token {issued.info.id} for {issued.info.label!r}, wards {', '.join(issued.info.wards)}"
        + (f", expires {issued.info.expires_at:%Y-%m-%d %H:%M} UTC" if issued.info.expires_at else ", no expiry")
    )
    print("The token is shown this once and is not stored; put it in the screen's address:")
    print(f"  {args.base_url.rstrip('/')}{issued.wall_path}")
    return 0
