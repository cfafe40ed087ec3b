"""Chinese numerals as residents type or dictate them: 十二, 一千二百零一, 幺二零一, 两, 廿."""

from __future__ import annotations

# Digits as spoken; 幺 and 洞 are the radio/phone way of saying 1 and 0, common in plates
# and room numbers dictated by voice.
DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "洞": 0,
    "一": 1,
    "幺": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "贰": 2,
    "三": 3,
    "仨": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_SHORTCUTS: dict[str, int] = {"廿": 20, "卅": 30}

# One set test finds whether a number has any unit (十, 百, 廿) or is read digit by digit.
_UNIT_CHARS = frozenset(_UNITS) | frozenset(_SHORTCUTS)

# Chinese characters that can be (part of) a number.
NUMERAL_CHARS = "".join(DIGITS) + "十拾百佰千仟廿卅"
# A character class usable inside regexes for "a number written any way".
NUM_CLASS = "0-9零〇○洞一幺壹二两俩贰三仨叁四肆五伍六陆七柒八捌九玖十拾百佰千仟廿卅"


def digit_string(text: str) -> str | None:
    """Read digit by digit ("幺二零一" -> "1201", "12零1" -> "1201"); None if not all digits."""
    out: list[str] = []
    for ch in text:
        if "0" <= ch <= "9":
            out.append(ch)
        elif ch in DIGITS:
            out.append(str(DIGITS[ch]))
        else:
            return None
    return "".join(out) if out else None


def parse_int(text: str) -> int | None:
    """Parse an integer written with Arabic digits, Chinese numerals, or a mix.

    Returns None rather than guessing when the text is not a number. Handles positional
    forms (一千二百零一, 十二, 二十, 两百), digit strings (一二零一, 1201), and 廿/卅.
    """
    if not text or len(text) > 12:
        return None
    if text.isascii():
        return int(text) if text.isdigit() else None
    if len(text) == 1 and text in DIGITS:
        return DIGITS[text]  # the common 两/三 of a head count or an hour, without the loops
    if _UNIT_CHARS.isdisjoint(text):
        digits = digit_string(text)
        return int(digits) if digits is not None else None
    total = 0
    current = -1  # the pending digit; -1 means none seen since the last unit
    last_unit = 10_000
    for ch in text:
        if ch in _SHORTCUTS:
            if current >= 0 or total:
                return None
            total = _SHORTCUTS[ch]
            last_unit = 10
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit >= last_unit:
                return None
            # A bare 十 means 10 (十二 = 12); other bare units are malformed.
            if current < 0:
                if unit != 10:
                    return None
                current = 1
            total += current * unit
            current = -1
            last_unit = unit
        elif ch in DIGITS or "0" <= ch <= "9":
            digit = DIGITS[ch] if ch in DIGITS else int(ch)
            if current > 0:
                return None
            current = digit
        else:
            return None
    if current > 0:
        # 两百五 / 一千二: a trailing digit after a unit scales one step down.
        if last_unit >= 100 and text[-2] in _UNITS:
            current *= last_unit // 10
        total += current
    return total
