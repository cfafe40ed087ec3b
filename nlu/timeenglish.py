"""English visit times said the way residents mix them into Chinese messages ("my friend
comes tmr 3pm", "this Sat afternoon", "around 6 tonight"), rewritten as the Chinese words
nlu.timeparse already reads (明天 15:00, 这周六 下午, 6点 今晚).

A rewrite instead of a second grammar: every rule about how a day, a part of the day and a
clock time combine stays in one place. Only the visit-time parser reads the rewritten text,
and only when the message holds a Latin word."""

from __future__ import annotations

import re

# Every rule here and in nlu.countenglish needs a word of two letters or more (am, pm, my,
# tmr): a plate's lone letters (沪a·3k9l2) do not start the dozen substitutions.
LATIN_WORD = re.compile(r"[a-z]{2}")

_DAYS = {
    "mon": "一",
    "tue": "二",
    "wed": "三",
    "thu": "四",
    "fri": "五",
    "sat": "六",
    "sun": "日",
}
# monday, mon, tues, thurs, sat, saturday ... (the text is lower case after normalisation)
_WEEKDAY = (
    r"(?:(?P<which>this|next|coming|this coming)\s+)?"
    r"(?P<wd>mon|tue|wed|thu|fri|sat|sun)"
    r"(?:day|s|sday|nesday|r|rs|rsday|urday)?(?![a-z])(?P<nextweek>\s+next week)?"
)
_CLOCK = r"(?P<h>[01]?[0-9])(?:[:.](?P<m>[0-5][0-9]))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)(?![a-z])"
# "at 7" / "around 6": an hour with no am/pm, only after a word that announces a time.
_BARE_HOUR = (
    r"(?:(?<![a-z])(?:at|around|about|by|before|after|arriving|arrive|arrives)\s+)"
    r"(?P<bh>[01]?[0-9])(?:[:.](?P<bm>[0-5][0-9]))?(?:\s*o'?clock)?(?![0-9:]|\s*[a-z])"
    # ... or with "ish" after it: "10ish".
    r"|(?<![0-9a-z])(?P<ih>[01]?[0-9])ish(?![a-z])"
)
_IN = (
    r"(?<![a-z])in\s+(?P<n>an?|half an|[0-9]{1,3})\s*"
    r"(?P<unit>hours?|hrs?|h|minutes?|mins?)(?![a-z])"
)

_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        # A greeting is not a time ("good morning, my friend comes at 3pm").
        (r"(?<![a-z])good (?:morning|afternoon|evening|night)(?![a-z])", " "),
        (r"(?<![a-z])last night(?![a-z])", " 昨晚 "),
        (r"(?<![a-z])(?:the\s+)?day after (?:tomorrow|tmr|tmrw)(?![a-z])", " 后天 "),
        (r"(?<![a-z])(?:tomorrow|tomorow|tmrw?|tmw|2moro|2morrow)(?![a-z])", " 明天 "),
        (r"(?<![a-z])(?:tonight|tonite|2nite|this evening)(?![a-z])", " 今晚 "),
        (r"(?<![a-z])this morning(?![a-z])", " 今天上午 "),
        (r"(?<![a-z])this afternoon(?![a-z])", " 今天下午 "),
        (r"(?<![a-z])(?:today|tdy)(?![a-z])", " 今天 "),
        (r"(?<![a-z])(?:this\s+)?weekend(?![a-z])", " 周末 "),
        (r"(?<![a-z])morning(?![a-z])", " 上午 "),
        (r"(?<![a-z])(?:afternoon|arvo)(?![a-z])", " 下午 "),
        (r"(?<![a-z])(?:evening|night)(?![a-z])", " 晚上 "),
        (r"(?<![a-z])(?:noon|midday|lunchtime|lunch time)(?![a-z])", " 中午 "),
    )
)


def _weekday(match: re.Match[str]) -> str:
    which = match.group("which") or ""
    if match.group("nextweek"):
        which = "next"  # "Wednesday next week"
    prefix = "下周" if which == "next" else "这周" if which == "this" else "周"
    return f" {prefix}{_DAYS[match.group('wd')]} "


def _clock(match: re.Match[str]) -> str:
    hour = int(match.group("h"))
    minute = match.group("m") or "00"
    if hour > 12:
        return match.group(0)
    if match.group("ampm").startswith("p"):
        return f" {hour if hour == 12 else hour + 12}:{minute} "
    # An explicit morning: a bare 8:00 said after eight would be read as the evening.
    return f" 0:{minute} " if hour == 12 else f" 上午{hour}:{minute} "


def _bare_hour(match: re.Match[str]) -> str:
    if match.group("ih"):
        return f" {match.group('ih')}点 "
    minute = match.group("bm")
    return f" {match.group('bh')}点{minute + '分' if minute else ''} "


def _relative(match: re.Match[str]) -> str:
    amount = {"a": "1", "an": "1", "half an": "半"}.get(match.group("n"), match.group("n"))
    unit = "分钟" if match.group("unit").startswith("m") else "小时"
    return f" {amount}{unit}后 "


_WEEKDAY_RE = re.compile(rf"(?<![a-z]){_WEEKDAY}")
_CLOCK_RE = re.compile(rf"(?<![0-9:]){_CLOCK}")
_BARE_HOUR_RE = re.compile(_BARE_HOUR)
_IN_RE = re.compile(_IN)


def english_times(text: str) -> str:
    """`text` with English day, weekday, part-of-day and clock words in Chinese; unchanged
    when it has no Latin word."""
    if not LATIN_WORD.search(text):
        return text
    text = _CLOCK_RE.sub(_clock, text)
    text = _IN_RE.sub(_relative, text)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    text = _WEEKDAY_RE.sub(_weekday, text)
    # Last: "around 6 tonight" is an hour only once tonight is 今晚, not another word.
    return _BARE_HOUR_RE.sub(_bare_hour, text)
