"""analyze never raises and always returns a valid result, whatever the string."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from nlu import Analysis, Intent, analyze
from nlu.engine import get_engine, now_shanghai

_ALPHABET = st.characters(codec=None)  # every code point, surrogates included
_DOMAIN = st.sampled_from(
    [
        *list("漏水电梯燃气味困爆火烟栋单元室号楼点半明天后天周一二三四五六七八九十两幺湘粤K车牌"),
        "😡",
        "👍",
        "⭐",
        "，",
        "！",
        "？",
        " ",
        "\n",
        "唔",
        "喺",
        "𨋢",
        "1",
        "3",
        "-",
        "·",
    ]
)


def _check(result: Analysis) -> None:
    assert isinstance(result.intent, Intent)
    assert 0.0 <= result.confidence <= 1.0
    assert result.runner_up is None or isinstance(result.runner_up, Intent)
    assert isinstance(result.urgent, bool)
    assert isinstance(result.slots, dict)
    assert isinstance(result.normalized, str)
    at = result.slots.get("visit_at")
    assert at is None or (isinstance(at, datetime) and at.tzinfo is not None)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=2000))
def test_any_unicode(text: str) -> None:
    _check(analyze(text))
    # The engine itself, without analyze's last-resort guard, must not raise either.
    _check(get_engine().analyze(text, now_shanghai()))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_DOMAIN, max_size=200))
def test_domain_soup(text: str) -> None:
    _check(get_engine().analyze(text, now_shanghai()))
