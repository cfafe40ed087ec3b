"""The public contract of the nlu package."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import jieba
import pytest

import nlu
from nlu import Analysis, Intent, analyze, warm_up
from nlu.engine import DOUBT_AT, get_engine
from nlu.model import DECISIVE, N_OUT, Model, evidence, sigmoid
from tests.doubtful import SUBTLE

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
        # Round 14: who is responsible is a question; "can you fix it?" is a request.
        ("空调外机滴水归谁管", Intent.CONSULT),
        ("热水器坏了是找物业还是找厂家", Intent.CONSULT),
        ("快递柜屏幕黑了 能找人修吗", Intent.REPAIR),
        ("游泳池边的扶手松了 能加固一下吗", Intent.REPAIR),
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
    # Anger makes a fault a grievance: complaint wins, or (round 13's averaged model reads a
    # lift that stops as a repair) it is the close runner-up, so the bot asks which it is.
    angry, calm = analyze("电梯又停了😡😡😡"), analyze("电梯又停了")
    assert Intent.COMPLAINT in (angry.intent, angry.runner_up)
    if angry.intent is Intent.REPAIR and calm.intent is Intent.REPAIR:
        assert angry.confidence < calm.confidence
    assert analyze("👍").intent is Intent.RATING


def test_normalized_text_is_reported() -> None:
    assert analyze("水笼头坏了！！").normalized == "水龙头坏了!"


@pytest.mark.parametrize(
    "text", ["", " ", "\x00\x01", "😀" * 50, "\ud800abc", "a" * 100_000, "水" * 5000]
)
def test_odd_inputs(text: str) -> None:
    result = analyze(text)
    assert isinstance(result.intent, Intent)


def _urgent_chance(text: str) -> float | None:
    """The learned layer's urgent probability, as `Engine.analyze` computes it (None when
    the model does not run: no model, an empty text, or rules sure enough on their own and
    nothing alarming in the message)."""
    engine = get_engine()
    model = engine.model
    reading = engine.read(text)
    if model is None or not reading.norm:
        return None
    found = evidence(reading.kinds, reading.vetoed)
    if reading.rules.confidence >= DECISIVE:
        if reading.kinds or reading.vetoed:
            return None
        if not (found or model.may_be_urgent(reading.tokens, reading.bigrams)):
            return None
        logit = model.urgent_logit(reading.tokens, reading.norm, found, reading.bigrams)
        return None if logit is None else sigmoid(logit)
    logits = model.logits(reading.tokens, reading.norm, found, reading.bigrams)
    return None if logits is None else sigmoid(logits[-1])


def test_urgent_doubt_between_the_doubt_mark_and_the_threshold() -> None:
    model = get_engine().model
    assert model is not None
    assert 0.0 < DOUBT_AT < model.threshold
    chances = {text: _urgent_chance(text) for text in SUBTLE}
    doubtful = [t for t, p in chances.items() if p is not None and DOUBT_AT <= p < model.threshold]
    assert doubtful, f"no message in the doubt band [{DOUBT_AT}, {model.threshold}): {chances}"
    for text in doubtful:
        result = analyze(text, now=NOW)
        assert result.urgent_doubt, (text, chances[text])
        assert not result.urgent, (text, chances[text])
    # Every message: doubt exactly when the model ran, was not vetoed, and lands in the band.
    for text, chance in chances.items():
        result = analyze(text, now=NOW)
        vetoed = get_engine().read(text).vetoed
        expected = not result.urgent and not vetoed and chance is not None and chance >= DOUBT_AT
        assert result.urgent_doubt == expected, (text, chance, result)


def test_an_obvious_emergency_is_urgent_not_doubtful() -> None:
    result = analyze("厨房煤气泄漏了 味道很大", now=NOW)
    assert result.urgent
    assert not result.urgent_doubt


def test_a_greeting_is_neither_urgent_nor_doubtful() -> None:
    result = analyze("你好", now=NOW)
    assert not result.urgent
    assert not result.urgent_doubt


def test_a_vetoed_emergency_is_not_doubtful() -> None:
    assert get_engine().read("没有燃气味了").vetoed
    result = analyze("没有燃气味了", now=NOW)
    assert not result.urgent
    assert not result.urgent_doubt


def test_urgent_doubt_rules_with_a_model_that_always_says_half() -> None:
    """A stand-in model whose urgent probability is 0.5 for every message (threshold 0.9):
    every message it runs on is doubtful, unless a pattern hit was vetoed or a pattern already
    made it urgent; a message the rules decide alone is not doubtful (no feature of this model
    is alarming: `Model.may_be_urgent`)."""
    texts = ["厨房热水器一直嘶嘶的响", "没有燃气味了", "厨房煤气泄漏了 味道很大", "你好"]
    # Every bigram is known with zero weights: the model runs and adds nothing to the bias.
    zero = (0.0,) * N_OUT
    known = {t[i : i + 2]: zero for t in texts for i in range(len(t) - 1)}
    half = Model(features=known, evidence={}, bias=zero, threshold=0.9)
    assert sigmoid(half.bias[-1]) == 0.5
    engine = replace(get_engine(), model=half)
    calm = engine.analyze("厨房热水器一直嘶嘶的响", NOW)
    assert calm.urgent_doubt and not calm.urgent
    assert not engine.analyze("没有燃气味了", NOW).urgent_doubt
    emergency = engine.analyze("厨房煤气泄漏了 味道很大", NOW)
    assert emergency.urgent and not emergency.urgent_doubt
    assert engine.read("你好").rules.confidence >= DECISIVE
    assert not engine.analyze("你好", NOW).urgent_doubt


def test_off_topic_questions_are_other() -> None:
    # Public services, health and schooling are not the estate's business (round 9).
    assert analyze("社保卡丢了去哪里补办 要本人去吗").intent is Intent.OTHER
    assert analyze("公积金提取要准备什么材料").intent is Intent.OTHER
    assert analyze("物业费一年多少钱").intent is Intent.CONSULT


@pytest.mark.parametrize(
    ("text", "count"),
    [
        # Round 15: a registration naming nobody countable is one visitor, unless a crew comes.
        ("李建国 明天上午过来找我", 1),
        ("kevin下午过来拿东西", 1),
        ("浙B3Q7M2 明天上午来 帮忙登记", 1),
        ("30号下午三点搬家公司来拉东西 车牌闽D·5F8G9", None),
        ("几个朋友明晚来 车牌苏A12345", None),
    ],
)
def test_a_registration_without_a_head_count(text: str, count: int | None) -> None:
    result = analyze(text, now=NOW)
    assert result.intent is Intent.VISITOR
    assert result.slots.get("count") == count
