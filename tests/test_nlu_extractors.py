"""Unit tests for every slot extractor (numbers, rooms, plates, phone, ticket, count,
rating, visitor name)."""

from __future__ import annotations

import pytest

from nlu import analyze
from nlu.numbers import digit_string, parse_int
from nlu.plates import extract_plate
from nlu.rooms import extract_room
from nlu.slots import (
    extract_count,
    extract_phone,
    extract_rating,
    extract_ticket,
    extract_visitor,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十二", 12),
        ("一千二百零一", 1201),
        ("幺二零一", 1201),
        ("两", 2),
        ("二十", 20),
        ("两百五", 250),
        ("廿五", 25),
        ("1201", 1201),
        ("九十九", 99),
        ("一百零八", 108),
        ("十", 10),
        ("百", None),
        ("十一二", None),
        ("abc", None),
        ("", None),
    ],
)
def test_parse_int(text: str, value: int | None) -> None:
    assert parse_int(text) == value


def test_digit_string() -> None:
    assert digit_string("洞两八幺七") == "02817"
    assert digit_string("12零1") == "1201"
    assert digit_string("十二") is None


@pytest.mark.parametrize(
    ("text", "room"),
    [
        ("3栋2单元1201", {"building": "3", "unit": "2", "room": "1201"}),
        ("三号楼二单元1201室", {"building": "3", "unit": "2", "room": "1201"}),
        ("3-2-1201", {"building": "3", "unit": "2", "room": "1201"}),
        ("3幢2门1201", {"building": "3", "unit": "2", "room": "1201"}),
        ("我住5栋802", {"building": "5", "room": "802"}),
        ("十二栋三单元一零零二的", {"building": "12", "unit": "3", "room": "1002"}),
        ("a座1203", {"building": "A", "room": "1203"}),
        ("在七栋这边", {"building": "7"}),
        ("6栋1单元3楼", {"building": "6", "unit": "1"}),
        ("2单元一楼大堂", {"unit": "2"}),
        ("房号1502", {"room": "1502"}),
        ("1502快来人", {"room": "1502"}),
        ("一楼101 污水", {"room": "101"}),
    ],
)
def test_extract_room(text: str, room: dict[str, str]) -> None:
    assert extract_room(text) == room


@pytest.mark.parametrize(
    "text",
    [
        "下午3-5点",
        "3楼",
        "2026-11-18",
        "电话138-1234-5678",
        "1024进度",
        "单子1102有人跟进吗",
        "收600",
    ],
)
def test_extract_room_ignores_non_addresses(text: str) -> None:
    assert extract_room(text) is None


@pytest.mark.parametrize(
    ("text", "plate"),
    [
        ("湘k·3b7q1", "湘K3B7Q1"),
        ("湘k 3b7q1", "湘K3B7Q1"),
        ("湘k三b七q幺", "湘K3B7Q1"),
        ("车牌赣c·6m2k9", "赣C6M2K9"),
        ("苏a洞两八幺七", "苏A02817"),
        ("粤b·d36688", "粤BD36688"),
        ("浙b·f12345", "浙BF12345"),
        ("京a12345一起来", "京A12345"),
        ("湘k3b7q1两个人", "湘K3B7Q1"),
        ("黑a 123h5", "黑A123H5"),
        ("京a1o2i3", "京A10213"),
    ],
)
def test_extract_plate(text: str, plate: str) -> None:
    assert extract_plate(text) == plate


@pytest.mark.parametrize(
    ("text", "plate"),
    [
        # Radio digits: 幺 1, 两 2, 拐 7, 勾 9, 洞 0 (么 is how keyboards write 幺).
        ("车牌浙c幺拐勾洞两", "浙C17902"),
        ("辽b·两勾拐幺k", "辽B2971K"),
        ("晋a 洞三拐勾五 明天到", "晋A03795"),
        ("川a拐么两八洞", "川A71280"),
        ("桂c五拐m勾幺", "桂C57M91"),
        # A count after a separator is not a sixth plate character.
        ("鲁a拐勾幺两三 两个人", "鲁A79123"),
        # Six characters typed together are kept as typed, even if no real plate has six.
        ("车牌是赣a幺二c五八九", "赣A12C589"),
    ],
)
def test_extract_plate_radio_digits(text: str, plate: str) -> None:
    assert extract_plate(text) == plate


@pytest.mark.parametrize(
    "text", ["新疆来的", "京东快递", "湘k3b", "", "前面拐弯就到了", "湘a 前面拐弯勾一下"]
)
def test_extract_plate_none(text: str) -> None:
    assert extract_plate(text) is None


def test_radio_digits_only_inside_plates() -> None:
    # 拐 ("turn") and 勾 ("tick") are words outside a plate, never numbers.
    assert digit_string("拐两") is None
    assert parse_int("勾") is None


def test_extract_phone() -> None:
    assert extract_phone("赵磊 13912345678 明天来") == "13912345678"
    assert extract_phone("电话 139-1234-5678") == "13912345678"
    assert extract_phone("单号 20261118001") is None
    assert extract_phone("12345678901") is None


@pytest.mark.parametrize(
    ("text", "ticket"),
    [
        ("单号1031现在到哪一步了", "1031"),
        ("1024号单子都三天了", "1024"),
        ("1024进度", "1024"),
        ("#1056这个单子", "1056"),
        ("工单 1077 ?", "1077"),
        ("我的单号是1045", "1045"),
        ("1120号单进度怎样呀", "1120"),
        ("工单号幺零二四", "1024"),
        ("查一下单号:bx1093 的进度", "1093"),
        ("2031这单什么时候有人来", "2031"),
        ("幺零六幺号单作废", "1061"),
        ("no.2587 进度", "2587"),
        ("维修单 no 3011", "3011"),
        ("尾号2587的单子", "2587"),
        # Round 18: digits read out one by one, a number + 号 called off.
        ("单号 5 0 0 3 今天能安排吗", "5003"),
        ("单号是 2 7 0 4", "2704"),
        ("1587号取消 邻居帮忙修好了", "1587"),
    ],
)
def test_extract_ticket(text: str, ticket: str) -> None:
    assert extract_ticket(text) == ticket


def test_extract_ticket_none() -> None:
    assert extract_ticket("我家漏水了") is None
    assert extract_ticket("三号单元门坏了") is None


@pytest.mark.parametrize(
    ("text", "ticket"),
    [
        ("1101取消 重复报的", "1101"),
        ("师傅不用来了 那张单取消吧 1088", "1088"),
        ("1088 still pending? any update", "1088"),
        ("我婆婆家的单 2066 今天来不来人", "2066"),
        # Round 17: a lone number that could be a flat, asked about as a request; spoken
        # digits after a call-off, 拐 for 7 in a number read out; a 维修单.
        ("我的8802呢", "8802"),
        ("催一下 6012", "6012"),
        ("取消七一零八", "7108"),
        ("拐幺洞八号单取消", "7108"),
        ("维修单2207怎么显示关闭了", "2207"),
    ],
)
def test_bare_ticket_in_status_and_cancel(text: str, ticket: str) -> None:
    assert analyze(text).slots.get("ticket_no") == ticket


@pytest.mark.parametrize(
    "text",
    [
        "5栋2单元1102的报修取消",  # the flat, not a ticket
        "帮我查下手机尾号5678报的单",
        "1088和1090哪个先修",  # two numbers: which one would be a guess
        "我家3楼漏水了 1201",  # not a status or cancel message
        "我家1402的下水道 预约的是今天吧",  # the flat again
    ],
)
def test_no_bare_ticket(text: str) -> None:
    assert "ticket_no" not in analyze(text).slots


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("两个人", 2),
        ("3人", 3),
        ("我姐一家三口过来", 3),
        ("两个同学来", 2),
        ("5个人 一台车", 5),
        ("就她自己", 1),
        ("就他一个", 1),
        ("两大一小", 3),
        ("一共五个人", 5),
        ("我们俩", 2),
        ("下周六晚上6:45朋友来 三个人", 3),
        ("明天两个阿姨来打扫", 2),
        ("周末六个小朋友来家里玩", 6),
        ("我和我老婆晚上回来 没带卡", 2),
        ("我跟我爸妈一起过来", 3),
        ("我带着儿子和女儿", 3),
        ("三大两小 开一台车", 5),
        ("一行五人 下午到", 5),
        ("十来个人 来聚餐", 10),
        ("二十多个同学", 20),
        ("就我一个", 1),
        ("我哥我嫂子带俩孩子来 一共四个人", 4),
        ("明天一家三口过来", 3),
        ("两大一小下午到", 3),
        ("女儿的同学来玩 四五个", 5),
        ("五六个人过来打牌", 6),
        ("七八个同学", 8),
        ("十五个人", 15),
        ("我姐带着她两个孩子来", 3),
        ("我妈和我姨来", 2),
        ("闺蜜和她男朋友过来", 2),
        ("我爸妈明天来", 2),
        ("明天下午三点我表哥来", 1),  # one named visitor (more in test_nlu_counts.py)
        # Round 12: multipliers, twins, dialect kin, a relative named twice.
        ("同学 x3", 3),
        ("朋友x2 车浙b9x23k", 2),
        ("我姐 姐夫 还有他们家双胞胎", 4),
        ("我老汉儿和我妈过来", 2),
        ("爷爷奶奶过来 爷爷自己开车", 2),
        ("我姐和她姐", 2),
        ("俩师傅加一个学徒", 3),
    ],
)
def test_extract_count(text: str, count: int) -> None:
    assert extract_count(text) == count


def test_extract_count_none() -> None:
    assert extract_count("两个小时后到") is None
    assert extract_count("明天下午来") is None
    assert extract_count("我和物业说过了") is None
    assert extract_count("来了十几分钟") is None


@pytest.mark.parametrize(
    ("text", "original", "rating"),
    [
        ("5", "5", 5),
        ("五星", "五星", 5),
        ("3分", "3分", 3),
        ("打5分 师傅很专业", "打5分 师傅很专业", 5),
        ("8分", "8分", 4),
        ("", "⭐⭐⭐⭐", 4),
        ("", "👍", 5),
        ("非常满意", "非常满意", 5),
        ("满意", "满意", 4),
        ("一般般吧", "一般般吧", 3),
        ("不太满意", "不太满意", 2),
        ("很差", "很差", 1),
        ("一星 态度太差", "一星 态度太差", 1),
        # Round 12: negated praise before praise, dialect, a score with 吧 or thanks.
        ("不是很满意", "不是很满意", 2),
        ("十分不满意", "十分不满意", 1),
        ("4吧", "4吧", 4),
        ("5 谢谢物业", "5 谢谢物业", 5),
        ("杠杠的", "杠杠的", 5),
        ("还阔以", "还阔以", 3),
        ("满意度5", "满意度5", 5),
        ("凑活事儿吧 给个三", "凑活事儿吧 给个三", 3),
        ("5", "5️⃣", 5),
        # Round 13: Cantonese stars, English stars, a score before or after the words, a
        # lone numeral, 评分:.
        ("好嘢 师傅好快手 五粒星", "好嘢 師傅好快手 五粒星", 5),
        ("i would give 4 stars", "i would give 4 stars", 4),
        ("5 修漏水的师傅很专业", "5 修漏水的师傅很专业", 5),
        ("中规中矩吧 3", "中规中矩吧 3", 3),
        ("还行吧4", "还行吧4", 4),
        ("二", "二", 2),
        ("评分:5", "评分：5", 5),
    ],
)
def test_extract_rating(text: str, original: str, rating: int) -> None:
    assert extract_rating(text, original, wordy=True) == rating


@pytest.mark.parametrize(
    ("text", "rating"),
    [("5️⃣", 5), ("4 谢谢物业", 4), ("打个四分吧", 4), ("好滿意", 5), ("唔係幾滿意", 2)],
)
def test_poll_answers_end_to_end(text: str, rating: int) -> None:
    # The keycap mark is dropped with the emoji; a score with thanks is still a rating.
    result = analyze(text)
    assert (result.intent.value, result.slots.get("rating")) == ("rating", rating)


def test_extract_rating_words_only_in_rating_replies() -> None:
    assert extract_rating("不满意", "不满意", wordy=False) is None
    assert extract_rating("给5分", "给5分", wordy=False) == 5


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("明天下午我表哥开车过来", "我表哥"),
        ("后天上午十点王师傅过来量尺寸", "王师傅"),
        ("后天下午三点一刻 送冰箱的师傅开个货车过来", "送冰箱的师傅"),
        ("11月25日下午两点半 李明来找我", "李明"),
        ("登记访客 刘强 明天晚上8点", "刘强"),
        ("我老公的车今天借给朋友开了 下午朋友会开进来", "朋友"),
        ("周六下午两点 女儿男朋友第一次上门", "女儿男朋友"),
        ("中午花店的人来送花", "花店的人"),
        ("周日上午十一点 家里亲戚来拜访", "亲戚"),
        ("明天下午五点 孩子的家教老师过来", "家教老师"),
        ("30号下午三点搬家公司来拉东西", "搬家公司"),
        ("明天上午来个开锁师傅", "开锁师傅"),
        ("我老婆的闺蜜明天中午到", "我老婆的闺蜜"),
        ("明天上午10:30 保洁阿姨来", "保洁阿姨"),
        ("明天下午老王过来找我下棋", "老王"),
        ("张女士今天下午三点到访", "张女士"),
        ("送快递的等下进来", "送快递的"),
        ("搬家公司的人明天上午到", "搬家公司的人"),
        ("送外卖的小哥进来一下", "送外卖的小哥"),
        ("我表哥明天来", "我表哥"),
        ("王师傅下午过来修空调", "王师傅"),
        ("我和我老婆晚上回来", "我老婆"),
        ("周四晚上六点我同事小李过来拿东西", "小李"),  # the name after the relation
        ("一会儿我老乡过来拿东西 叫李强", "李强"),  # a name given outright wins
        ("后天早上九点送家电的车要进来", "送家电的"),
        ("后天有个搬家公司来拉东西", "搬家公司"),
        ("老张一会儿过来找我下棋", "老张"),
        ("周六中午我大学室友们来", "我大学室友们"),
        ("今晚外甥过来住", "外甥"),
        ("明早十点我阿妈来", "我阿妈"),
    ],
)
def test_extract_visitor(text: str, name: str) -> None:
    assert extract_visitor(text) == name


def test_extract_visitor_none() -> None:
    assert extract_visitor("周四下午过来") is None
