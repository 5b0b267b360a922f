"""How many wrong kiosk tokens one client may try: a few a minute, then refused without an audit row each.

Why this exists: every refused wall token is written to the audit log, which
nobody can delete from. Without a limit an anonymous visitor could grow the
log without bound by guessing tokens. Per client address, the first
``limit`` misses in any ``window`` are audited one by one; the miss that
goes over the limit is refused and audited once as the start of a throttled
burst; further misses are refused without an audit row until the window has
no more than ``limit`` misses in it again. Time is passed in, so tests never
wait. The counts live in the app process (each app server throttles on its
own), bounded by ``max_clients``.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class MissVerdict(StrEnum):
    """What to do with one wrong token from one client."""

    AUDIT = "audit"  # refuse and write the usual audit row
    THROTTLE_STARTED = "throttle_started"  # refuse; write one row saying this client is now throttled
    THROTTLED = "throttled"  # refuse without writing anything


@dataclass
class KioskMissThrottle:
    """Wrong-token attempts per client address over a sliding window."""

    limit: int = 5
    window: timedelta = timedelta(minutes=1)
    max_clients: int = 10_000
    _misses: OrderedDict[str, deque[datetime]] = field(default_factory=OrderedDict, repr=False)
    _throttled: set[str] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window <= timedelta(0):
            raise ValueError(
                f"a kiosk throttle needs limit >= 1 and a positive window, got {self.limit}, {self.window}"
            )

    def is_throttled(self, client: str, now: datetime) -> bool:
        """True while ``client`` has more than ``limit`` misses in the window ending ``now`` (refuse before
        checking)."""
        return len(self._recent(client, now)) > self.limit

    def miss(self, client: str, now: datetime) -> MissVerdict:
        """Count one wrong token from ``client`` at ``now`` and say whether to audit it."""
        recent = self._recent(client, now)
        recent.append(now)
        self._misses[client] = recent
        self._misses.move_to_end(client)
        while len(self._misses) > self.max_clients:
            oldest, _ = self._misses.popitem(last=False)
            self._throttled.discard(oldest)
        if len(recent) <= self.limit:
            self._throttled.discard(client)
            return MissVerdict.AUDIT
        if client in self._throttled:
            return MissVerdict.THROTTLED
        self._throttled.add(client)
        return MissVerdict.THROTTLE_STARTED

    def _recent(self, client: str, now: datetime) -> deque[datetime]:
        recent = self._misses.get(client, deque())
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if not recent:
            self._throttled.discard(client)
        return recent
