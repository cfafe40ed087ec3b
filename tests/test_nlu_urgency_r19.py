"""Round 19 urgency (r19b, r19c): emergencies the patterns learned, calm messages they let go."""

from __future__ import annotations

import pytest

from nlu import analyze


@pytest.mark.parametrize(
    "text",
    [
        "厨房水管还在漏 冒得更凶了 师傅到哪了",
        "我外公有老年痴呆 早上出门走丢了 到现在没回来",
        "找不到我奶奶了 她有点糊涂",
        "门口燃气管被车撞歪了 现在能闻到味",
        "对门老太太好几日没出过门 门口有股怪味",
        "外墙瓷砖刚才掉了一块砸在车上 旁边还有几块在晃",
        "a power line is down near the south gate and sparking",
        "there is a man lying next to the bins in building 2 and he is not moving",
        # Homework is not a quiz: a child alone reporting a burning smell.
        "妈妈不在家 我在写作业 插排那里有焦味 插头黑黑的",
        "真的着火了 怎么办",
        # What nothing caught in the training files before.
        "楼道里那根燃气管子被装修的撞了 有味道出来了",
        "窗户的铰链断了 整扇窗一边吊着 随时掉下去",
        "有人在楼道里堆了好几桶汽油",
        "阳台烤肉的炭盆火苗子窜得老高 烟都灌到我家了",
        "炉子烟筒掉了 满屋子都是烟 老伴叫不大醒",
        "屋里用酒精炉涮火锅 孩子说头疼犯困 窗户关着",
    ],
)
def test_urgent_round19(text: str) -> None:
    assert analyze(text).urgent


@pytest.mark.parametrize(
    "text",
    [
        "卫生间地漏返臭 一股下水道的味 熏得人头疼",
        "冒烟是我在烤红薯 烤糊了 不好意思",
        "楼道有烧焦味 问了是楼下炒菜糊了",
        "保安拿砖头把单元门顶着 晚上谁都能进",
        "洗衣机排水口堵了 水漫出来一点 已经拖干了",
        "晾衣架螺丝锈断了一颗 暂时还挂得牢 有空来看下",
        "楼下烧烤店的烟太大 以为着火了 差点打119",
        "我在玩一个游戏 有一关是大楼着火 过不去",
        "垃圾桶被风吹翻了 轮子掉了 扶不起来",
        "下场雨地库就淹 年年都这样 物业管不管",
        # A request already made, an imagined fire making a point, a quiz question.
        "那个冒烟的单子取消吧 是楼下在烧纸",
        "消防通道堆满了纸箱 真着火了谁都跑不掉",
        "孩子作业题:家里燃气泄漏了应该先做什么",
    ],
)
def test_not_urgent_round19(text: str) -> None:
    assert not analyze(text).urgent


# Round 19: emergencies in plain English.
@pytest.mark.parametrize(
    "text",
    [
        "the lift dropped and stopped between floors, my son is inside",
        "smoke is coming out from under the door next to mine, nobody answers",
        "water is pouring through the ceiling light in my kitchen",
        "pipe under the sink burst, water everywhere",
        "my husband fell in the shower and is not responding",
        "the gas heater flame went yellow and my roommate feels dizzy",
        "someone is throwing bottles out of a window in block 3",
    ],
)
def test_urgent_round19_english(text: str) -> None:
    assert analyze(text).urgent


@pytest.mark.parametrize(
    "text",
    [
        "my grandma felt dizzy this morning but she is ok now, where is the pharmacy?",
        "the lift is slow in the mornings, can you check it",
        "is there a water outage tomorrow?",
    ],
)
def test_not_urgent_round19_english(text: str) -> None:
    assert not analyze(text).urgent


# Round 19 (r19f): early summer, written by whoever is there.
@pytest.mark.parametrize(
    "text",
    [
        "孩子把奶奶的降压药当糖吃了 现在老想睡",
        "女儿喝了一口洗甲水 一直在咳",
        "顶楼护栏松了晃得厉害 几个学生靠着拍照",
        "地库排水沟的盖板被车压飞了 那边灯还是黑的",
        "车里坐着个老人 车门锁着 一个小时没动了",
        "5栋楼道里有条蛇",
        "冰箱后面嗒嗒响 还冒青烟",
        "my son swallowed a magnet, please help",
        "power cut and my dad's oxygen concentrator stopped",
        "someone threw a bottle from upstairs, it smashed next to my kid",
    ],
)
def test_urgent_round19_summer(text: str) -> None:
    assert analyze(text).urgent


@pytest.mark.parametrize(
    "text",
    [
        "电视上在放孩子被锁车里的新闻 大家注意",
        "刚才说地库有人晕倒的那个取消吧 人家在车里睡觉",
        "井盖被偷的那条新闻说的是我们小区吗",
        "家里一股焦味 后来发现是吹风机 拔了就好了",
        "外卖小哥说楼道有蛇 我下去一看是根黑水管",
        "the gas smell I reported was durian lol, no need to come",
    ],
)
def test_not_urgent_round19_summer(text: str) -> None:
    assert not analyze(text).urgent


# Round 19 (r19h): medical emergencies at home, appliances past their limit.
@pytest.mark.parametrize(
    "text",
    [
        "我爸吃饭被鱼刺卡了 脸憋得发紫",
        "吃了虾以后嘴唇肿起来了 呼吸有点困难",
        "隔壁大爷低血糖犯了 一身冷汗",
        "女儿哮喘犯了 喷雾用完了",
        "我老婆羊水破了 车被堵在地库",
        "宝宝从床上掉下来 吐了两回 老想睡",
        "热油溅到我妈脸上 眼睛睁不开",
        "水壶烧干了 壶底都红了",
        "充电宝鼓得像馒头 特别烫",
        "有个陌生人在楼里挨个敲门",
    ],
)
def test_urgent_round19_medical(text: str) -> None:
    assert analyze(text).urgent


@pytest.mark.parametrize(
    "text",
    [
        "孩子玩具里的锂电池鼓包了 已经拆下来了 能扔垃圾房吗",
        "急救是打120还是119 我老记混",
        "孩子问着火了为什么不能坐电梯",
        "刚才楼下那辆救护车是来接谁的",
    ],
)
def test_not_urgent_round19_medical(text: str) -> None:
    assert not analyze(text).urgent


# Round 19 (r19i): Cantonese.
def test_urgent_round19_cantonese() -> None:
    assert analyze("停車場B1有條喉一路噴水 濺晒落啲電箱度").urgent


@pytest.mark.parametrize(
    "text",
    [
        "熱水爐唔出熱水 著咗火又熄 著咗又熄",
        "樓下大堂個自動門好易夾親人",
        "暴雨嗰陣停車場會唔會封 上年水浸嚇死人",
        "5分 處理煤氣漏好快 十分鐘就到咗",
    ],
)
def test_not_urgent_round19_cantonese(text: str) -> None:
    assert not analyze(text).urgent
