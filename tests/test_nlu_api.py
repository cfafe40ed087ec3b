"""The public contract of the nlu package."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import jieba
import pytest

import nlu
from nlu import Analysis, Intent, analyze, warm_up
from nlu.engine import get_engine

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 18, 9, 30, tzinfo=SH)


def test_exports() -> None:
    assert set(nlu.__all__) == {"Analysis", "Intent", "analyze", "warm_up"}


def test_warm_up_is_idempotent_and_thread_safe() -> None:
    engines = []

    def worker() -> None:
        warm_up()
        engines.append(get_engine())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(e) for e in engines}) == 1


def test_own_tokenizer_leaves_global_jieba_alone() -> None:
    warm_up()
    assert get_engine().tokenizer is not jieba.dt
    assert "困梯" not in jieba.dt.FREQ or jieba.dt.FREQ.get("困梯", 0) < 100_000


def test_result_shape() -> None:
    result = analyze("后天上午十点我表哥开车过来 车牌赣C·6M2K9", now=NOW)
    assert isinstance(result, Analysis)
    assert result.intent is Intent.VISITOR
    assert 0.0 <= result.confidence <= 1.0
    assert result.runner_up is None or isinstance(result.runner_up, Intent)
    assert result.slots["plate"] == "赣C6M2K9"
    assert result.slots["visitor_name"] == "我表哥"
    assert result.slots["visit_at"] == datetime(2026, 11, 20, 10, 0, tzinfo=SH)
    assert result.slots["visit_at"].tzinfo is not None
    assert result.slots["visit_time"] == "后天上午十点"


def test_now_defaults_and_conversion() -> None:
    assert analyze("明天下午朋友来").slots["visit_at"].tzinfo is not None
    utc_now = NOW.astimezone(UTC)
    result = analyze("明天下午朋友来", now=utc_now)
    assert result.slots["visit_at"] == datetime(2026, 11, 19, 14, 0, tzinfo=SH)
    naive = analyze("明天下午朋友来", now=NOW.replace(tzinfo=None))
    assert naive.slots["visit_at"] == datetime(2026, 11, 19, 14, 0, tzinfo=SH)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("次卧飘窗那里一下雨就往里渗", Intent.REPAIR),
        ("呢度啲燈著唔到", Intent.REPAIR),
        ("前天就说要来换灯泡 人影都没见着", Intent.COMPLAINT),
        ("说好周二来修结果没来", Intent.COMPLAINT),
        ("停車月卡喺邊度辦", Intent.CONSULT),
        ("不是要修东西，就想打听一下装修要办什么手续", Intent.CONSULT),
        ("我昨天报的那个怎么样了", Intent.STATUS),
        ("不用来了 我自己修好了", Intent.CANCEL),
        ("五星", Intent.RATING),
        ("你好", Intent.GREETING),
        ("好的 谢谢", Intent.GREETING),
        ("今天天气不错", Intent.OTHER),
        ("电梯", Intent.REPAIR),
    ],
)
def test_intents(text: str, intent: Intent) -> None:
    assert analyze(text, now=NOW).intent is intent


def test_unsure_messages_expose_a_runner_up() -> None:
    result = analyze("楼道灯坏了好几天了", now=NOW)
    assert {result.intent, result.runner_up} == {Intent.REPAIR, Intent.COMPLAINT}
    assert result.confidence < 0.8


def test_negation_removes_evidence() -> None:
    assert analyze("不想投诉 就问问物业费怎么交").intent is Intent.CONSULT


def test_emoji_carry_meaning() -> None:
    assert analyze("电梯又停了😡😡😡").intent is Intent.COMPLAINT
    assert analyze("👍").intent is Intent.RATING


def test_normalized_text_is_reported() -> None:
    assert analyze("水笼头坏了！！").normalized == "水龙头坏了!"


@pytest.mark.parametrize(
    "text", ["", " ", "\x00\x01", "😀" * 50, "\ud800abc", "a" * 100_000, "水" * 5000]
)
def test_odd_inputs(text: str) -> None:
    result = analyze(text)
    assert isinstance(result.intent, Intent)
