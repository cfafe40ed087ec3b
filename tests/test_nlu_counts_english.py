"""Round 19 head counts: English parties read through nlu.countenglish, and the Chinese
cases r19a showed (a household going out, a number broken down one by one, 一老一小)."""

from __future__ import annotations

import pytest

from nlu.countenglish import english_party
from nlu.counts import extract_count


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("pls register my sister + her husband + their baby, around 6 tonight", 3),
        ("friends visiting tmr, family of four", 4),
        ("hi, two friends coming over tomorrow at 7pm", 2),
        ("my in-laws + my husband's grandma coming thurs afternoon", 3),
        ("2 plumbers coming tomorrow morning, room 3-1-802", 2),
        ("my parents are visiting this saturday, plate 沪a·3k9l2", 2),
        ("moving company coming friday 9am, 4 guys and a truck", 4),
        ("a couple of colleagues will drop by later, 3 of them", 3),
        ("cleaner coming at 4pm today, just one person", 1),
        ("周五晚上 3 friends coming over for dinner 麻烦register一下", 3),
        ("my mum and my aunt arrive at noon", 2),
    ],
)
def test_english_parties(text: str, count: int) -> None:
    assert extract_count(text) == count


def test_plate_letters_are_not_people() -> None:
    # bf/gf are not read as boyfriend/girlfriend: plates hold letter pairs.
    assert english_party("两位律师来 车牌沪a·bf927") == "两位律师来 车牌沪a·bf927"
    assert extract_count("两位律师来我家谈事情 车牌沪a·bf927") == 2


def test_no_latin_no_change() -> None:
    text = "我和我老公明天过来"
    assert english_party(text) is text


@pytest.mark.parametrize(
    ("text", "count"),
    [
        # The household going out is not visiting; the one who comes to help is.
        ("我和我老公今晚要出门 婆婆八点过来帮忙带娃", 1),
        ("我跟我媳妇明天要出差 我妈明早过来帮看孩子", 1),
        # A number, then who they are one by one.
        ("明天下午来两个人 一个是我表哥 一个是他朋友", 2),
        # Grown-ups and children, the old and the young.
        ("今天下午 我家里亲戚 一老一小", 2),
        # 老婆娘家来人: the wife's family comes, not the wife.
        ("明晚七点 老婆娘家来人 岳父岳母加小舅子", 3),
        # Someone who drops people off and goes is not a visitor (but not across another
        # person: the daughter still comes).
        ("爸妈坐我表弟的车来 表弟送到就回去", 2),
        ("我二姨和她闺女 她老公开车送过来就走", 2),
    ],
)
def test_round19_parties(text: str, count: int) -> None:
    assert extract_count(text) == count


@pytest.mark.parametrize(
    ("text", "count"),
    [
        # The one the visit is for (给我妈体检) is not a visitor; the staff who come are.
        ("社区医生今天下午上门给我婆婆量血压 一个医生一个护士", 2),
        ("一会儿社区医院的大夫上门给我老伴打针", 1),
        # A visitor described again is not one more.
        ("阿姐等阵到 叫保安唔使拦 她是我家工人", 1),
        ("我姨妈等下来 她老人家不会扫码", 1),
        ("女儿同学周六上午来家里玩 是个小姑娘", 1),
        # Some of those counted: the one who drives is among them.
        ("明天晚上七点半三个同事来 有一个开车", 3),
        # A number of people, then the same number broken down.
        ("有四个人明天要过来两个大人两个小孩", 4),
        ("装修公司来量房两个人一个设计师一个量尺寸的", 2),
        ("明天中午十二点 来两个 一个送货的 一个安装的", 2),
        # ... but more added on is more, and two named are two.
        ("三个人 另外还有两个小孩", 5),
        ("两个朋友 一个同事 一个邻居", 4),
        ("一个老人 一个小孩", 2),
        # A total after 一共来; a couple named as a pair after the two were named.
        ("这周六下午 我闺女同学 一共来4个 一个家长送过来 家长不进来", 4),
        ("姥姥姥爷周五中午来 住到过完年 老两口腿脚不好", 2),
        ("我姐 姐夫 还有他们家双胞胎", 4),
    ],
)
def test_round19_described_and_subsets(text: str, count: int) -> None:
    assert extract_count(text) == count


@pytest.mark.parametrize(
    ("text", "count"),
    [
        # Round 19 (r19g): a number taken back, the new one counts them all.
        ("两个 不对 三个 漏算我妈了 后天中午", 3),
        ("明天下午四个人来 呃 五个 我老婆说她姐也来", 5),
        ("3 ppl... no wait 4 ppl, sorry, sat noon", 4),
        # Some of those counted, told after 其中.
        ("装修队五个人 其中两个油漆工三个木工", 5),
        # The driver who leaves again, said after the others.
        ("我哥开车送我嫂子和侄女来 他还要上班 送到小区门口就走", 2),
        ("我老汉儿开车送我嬢嬢过来 他送到门口就走", 1),
        ("我男朋友开车送我妈和我姨过来 他送到就走", 2),
        # Formal and dialect kin, children by birth order.
        ("亲家公亲家母 明天下午四点到", 2),
        ("我表哥两口子带着他家老大老二", 4),
        # English: a word between the number and who, "n" for and.
        ("2 delivery guys + 1 installer, wed 2pm", 3),
        ("my grandparents, grandma n grandpa, arriving thursday", 2),
        # ... but 搬家公司 holds no 家公.
        ("搬家公司周六早上到 四个师傅一辆厢货", 4),
    ],
)
def test_round19_r19g_parties(text: str, count: int) -> None:
    assert extract_count(text) == count


@pytest.mark.parametrize(
    ("text", "count"),
    [
        # Round 19 (r19i): "two old folk" sums up the two named; Cantonese kin, the police.
        ("我妈和阿姨两个老人家坐的士来", 2),
        ("我外公外婆(两位老人)明天上午十点到", 2),
        ("老爷奶奶明天来", 2),
        ("等下有两个警察上来找我", 2),
    ],
)
def test_round19_r19i_parties(text: str, count: int) -> None:
    assert extract_count(text) == count
