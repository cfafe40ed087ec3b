"""The compositional emergency detector (nlu/hazard.py, nlu/data/hazards.tsv): a hazard
concept plus a state concept near each other, judged by cue words."""

from __future__ import annotations

import pytest

from nlu.engine import _build
from nlu.hazard import load_hazards
from nlu.matcher import PhraseMatcher
from nlu.normalize import build_normalizer

DETECTOR = load_hazards()
NORMALIZE = build_normalizer().normalize


def kinds(text: str) -> tuple[str, ...]:
    return DETECTOR.detect(NORMALIZE(text)).kinds


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # Words for the hazard and for its state combine, whatever the phrasing.
        ("厨房一股怪味 像是煤气 我把窗户都打开了", "gas"),
        ("天然气管子那里嘶嘶的响", "gas"),
        ("一开门满屋子气味 女儿说头疼想吐", "gas"),
        ("電梯困咗人 快啲嚟", "lift"),
        ("电梯卡在8楼和9楼中间了 我和我女儿在里面", "lift"),
        ("我被卡在电梯里了 手机快没电了", "lift"),
        ("暖气片接头崩了 热水喷得到处都是", "flood"),
        ("天花板在往下滴水 越滴越快", "flood"),
        ("楼上漏的水顺着电灯往下流", "flood"),
        ("下水道往外冒黑水 已经流到客厅了", "sewage"),
        ("配电箱里噼里啪啦的响 还冒火星", "electric"),
        ("线被压断了 还带着电 碰到充电桩麻了一下", "electric"),
        ("屋里烟好大 一直咳嗽", "fire"),
        ("7楼窗户的玻璃掉下来了 摔得粉碎", "falling"),
        ("有个老奶奶在花园里晕过去了", "injury"),
        ("我三岁的儿子把自己反锁在卫生间了", "trapped"),
        ("有人拿刀在小区里追人", "help"),
    ],
)
def test_hazard_combinations(text: str, kind: str) -> None:
    assert kind in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "没有闻到煤气味 就是燃气灶点不着",  # negated
        "万一被困在电梯里应该怎么办",  # hypothetical
        "上周三电梯困人那次 后来维保公司怎么说的",  # past
        "去年外墙掉砖那个事 后来修好了没有",  # past, named after the hit
        "电梯困人的那个小伙已经救出来了",  # resolved
        "水管爆了 不过总阀已经关了 水也拖干净了",  # resolved
        "阳台地漏堵了 洗衣机一排水就漫出来一点 不多",  # a small amount
        "楼下有人烧纸 烟好大 呛得窗户都不敢开",  # a harmless cause of smoke
        "请问燃气费在哪里交",  # masked word
        "厨房插座没电了 其他的都有电",
        "马桶水箱一直在流水 哗哗的",
        "电梯又坏了 停在一楼不动 我们只能爬楼",
        "昨天闻到的煤气味是隔壁在熬中药 虚惊一场",
    ],
)
def test_not_an_emergency_now(text: str) -> None:
    assert kinds(text) == ()


def test_cancelled_hit_is_reported_as_vetoed() -> None:
    # The learned layer must not flag what a cue explicitly cancelled.
    assert DETECTOR.detect(NORMALIZE("没有燃气味了")).vetoed
    assert not DETECTOR.detect(NORMALIZE("你好")).vetoed


def test_overlapping_matches_are_all_found() -> None:
    matcher = PhraseMatcher(["卡住", "卡住了", "住"])
    assert matcher.find_overlapping("电梯卡住了") == [(2, "卡住了"), (2, "卡住"), (3, "住")]
    assert matcher.find_overlapping("你好") == []
    assert matcher.first("电梯卡住了") == "卡住了"
    assert matcher.first("你好") is None


def test_hazard_modes_of_the_engine() -> None:
    text = "一开门满屋子气味 女儿说头疼想吐"  # no urgent.tsv pattern names this
    off = _build(with_model=False, hazard_mode="off").read(text)
    assert off.hazard.kinds == ()  # not even run
    evidence = _build(with_model=False, hazard_mode="evidence").read(text)
    assert evidence.hazard.kinds == ("gas",)
    assert evidence.kinds == off.kinds  # a feature only: it flags nothing itself
    assert "gas" in _build(with_model=False, hazard_mode="flags").read(text).kinds
    with pytest.raises(ValueError, match="hazard_mode"):
        _build(with_model=False, hazard_mode="loud")
