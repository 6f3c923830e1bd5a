"""Durations as people read and type them: m:ss, or h:mm:ss past an hour."""

import math
import re

_TYPED = re.compile(r"^(?:(?:(\d+):)?(\d+):)?(\d+(?:\.\d+)?)$")


def format_duration(seconds: float | None, *, tenths: bool = False) -> str:
    """``125`` → ``2:05``, ``3723`` → ``1:02:03``; with ``tenths``, ``61.5`` → ``1:01.5``. None → ``""``."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return ""
    if tenths:
        whole, tenth = divmod(round(seconds * 10), 10)
    else:
        whole, tenth = round(seconds), None
    hours, rest = divmod(int(whole), 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    return text if tenth is None else f"{text}.{tenth}"


def parse_duration(text: str) -> int | None:
    """Whole seconds from ``"2:05"``, ``"1:02:03"`` or ``"125"``; None when it is none of these.

    Minutes and seconds after a colon run from 00 to 59; fractions are rounded.
    """
    match = _TYPED.match(text.strip())
    if not match:
        return None
    hours, minutes, seconds = match.groups()
    seconds_value = float(seconds)
    if (minutes is not None and seconds_value >= 60) or (hours is not None and int(minutes) >= 60):
        return None
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + round(seconds_value)
