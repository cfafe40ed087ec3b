"""Resident message understanding: text -> intent, urgency and slots.

>>> from nlu import analyze
>>> analyze("3栋2单元1201 厨房水管爆了").urgent
True
"""

from __future__ import annotations

import logging
from datetime import datetime

from nlu.engine import SHANGHAI, get_engine
from nlu.types import Analysis, Intent

__all__ = ["Analysis", "Intent", "analyze", "warm_up"]

_log = logging.getLogger(__name__)


def warm_up() -> None:
    """Load jieba's dictionary and ours now (idempotent, thread-safe) instead of on the
    first message."""
    get_engine()


def analyze(text: str, now: datetime | None = None) -> Analysis:
    """Understand one resident message. Never raises for any `str`.

    `now` (default: the current time in Asia/Shanghai) resolves relative times such as
    明天下午; a naive `now` is taken to be Shanghai time.
    """
    # No `now`: the engine reads the clock only if a visit time needs resolving.
    if now is not None:
        now = now.replace(tzinfo=SHANGHAI) if now.tzinfo is None else now.astimezone(SHANGHAI)
    engine = get_engine()
    try:
        return engine.analyze(text, now)
    except Exception:  # a bug must cost one message its understanding, not the bot
        _log.exception("nlu.analyze failed on a message of %d chars", len(text))
        return Analysis(Intent.OTHER, 0.0, None, False, {}, "")
