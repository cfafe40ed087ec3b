"""Round 19 (r19e, a Harbin winter): request numbers without a cue, north-eastern ratings."""

from __future__ import annotations

import pytest

from nlu import analyze


@pytest.mark.parametrize(
    ("text", "ticket"),
    [
        ("第3011号那个 有人跟进没", "3011"),
        ("三二零八那个不用了", "3208"),
        ("单号3040作废 重复提交了", "3040"),
    ],
)
def test_request_numbers(text: str, ticket: str) -> None:
    assert analyze(text).slots.get("ticket_no") == ticket


@pytest.mark.parametrize("text", ["我家三楼那个灯又不亮了", "师傅几点到", "一二三四五"])
def test_not_request_numbers(text: str) -> None:
    assert "ticket_no" not in analyze(text).slots


@pytest.mark.parametrize(
    ("text", "rating"),
    [("贼好", 5), ("老满意了", 5), ("中规中矩吧", 3)],
)
def test_ratings(text: str, rating: int) -> None:
    found = analyze(text)
    assert found.intent.value == "rating"
    assert found.slots.get("rating") == rating
