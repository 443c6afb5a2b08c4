"""Today's date at the site, injectable so that no test depends on the real date.

Why: ``plan --start`` must not be in the past without ``--allow-past``, and
"the past" depends on the site's time zone. Tests either monkeypatch
:data:`today_provider` or set ``HCCPROTOCOL_TODAY=YYYY-MM-DD`` (documented for
reproducible runs and subprocess tests).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from zoneinfo import ZoneInfo

__all__ = ["today", "today_provider"]

ENV = "HCCPROTOCOL_TODAY"


def _system_today(timezone: str) -> dt.date:
    return dt.datetime.now(ZoneInfo(timezone)).date()


today_provider: Callable[[str], dt.date] = _system_today
"""Replace (e.g. with ``monkeypatch``) to fix "today" in tests."""


def today(timezone: str) -> dt.date:
    """The current date in ``timezone``; ``HCCPROTOCOL_TODAY`` overrides it when set."""
    fixed = os.environ.get(ENV)
    if fixed:
        return dt.date.fromisoformat(fixed)
    return today_provider(timezone)
