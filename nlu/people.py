"""Words for people, as a visitor head count reads them (nlu.counts, nlu.mentions).

Kin and partners, friends and helpers, crowds of unknown size, surnames with titles, trades
and gatherings, plus the helpers that turn word lists into regexes.
"""

from __future__ import annotations

import re
from typing import TypeAlias

_Trie: TypeAlias = dict[str, "_Trie"]


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def alternation(vocabulary: frozenset[str]) -> str:
    """The words as one regex, matching as a longest-first alternation does (老同学 before
    同学, 爸妈 before 爸), but shaped as a trie: the branches at each point start with
    different characters, so the engine tries one of them where a flat list tries hundreds."""
    trie: _Trie = {}
    for word in vocabulary:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here
    return _branches(trie)


def _branches(node: _Trie) -> str:
    alts = [re.escape(ch) + _branches(node[ch]) for ch in sorted(node) if ch]
    if not alts:
        return ""
    if "" in node:  # the longer words first, then the one ending here
        return f"(?:{'|'.join(alts)})?"
    return alts[0] if len(alts) == 1 else f"(?:{'|'.join(alts)})"


def chars(*texts: str) -> str:
    """A character class body holding every character of the texts (bar "|")."""
    return "".join(re.escape(ch) for ch in sorted(set("".join(texts)) - {"|"}))


def firsts(vocabulary: frozenset[str] | str) -> str:
    """A character class body of the first characters of the words (or of "a|b" options)."""
    if isinstance(vocabulary, str):
        vocabulary = frozenset(vocabulary.split("|"))
    return chars(*(word[0] for word in vocabulary))


# One person each, even with no "my" in front: 外婆来了 is one visitor.
SINGLE = words(
    "爸爸 爸 老爸 爹 老爹 父亲 妈妈 妈 老妈 娘 老娘 母亲 姆妈 阿妈 阿爸 老豆 老窦 老母 "
    "老公 老婆 丈夫 妻子 爱人 媳妇儿 媳妇 对象 男朋友 女朋友 男友 女友 未婚夫 未婚妻 "
    "儿子 女儿 闺女 儿媳妇 儿媳 女婿 孙子 孙女 外孙 外孙女 "
    "哥哥 哥 大哥 二哥 姐姐 姐 大姐 二姐 家姐 弟弟 弟 小弟 细佬 妹妹 妹 细妹 "
    "嫂子 嫂 大嫂 嫂嫂 表嫂 堂嫂 弟媳 弟妹 姐夫 妹夫 表姐夫 表妹夫 小叔子 小姑子 "
    "表哥 表姐 表弟 表妹 堂哥 堂姐 堂弟 堂妹 "
    "爷爷 奶奶 外公 外婆 姥姥 姥爷 阿爷 阿嫲 阿公 阿婆 公公 婆婆 老爷子 老太太 "
    "岳父 岳母 丈母娘 老丈人 丈人 "
    "舅舅 舅妈 舅 大舅 小舅 二舅 姑姑 姑妈 姑父 姑 大姑 二姑 三姑 小姑 "
    "姨妈 姨父 姨 大姨 二姨 小姨 阿姨 叔叔 叔 二叔 三叔 大叔 婶婶 婶子 "
    "大伯 伯伯 伯父 伯母 大娘 大爷 大妈 干妈 干爸 干爹 "
    "外甥 外甥女 侄子 侄女 侄儿 师父 师母 老板 老细 房东 领导 家教 家教老师 保姆 月嫂 "
    "太太 夫人 先生 那口子 "
    # Round 11: dialect kin (Sichuan 老汉儿 is one's father), a teacher, a foreman.
    "婶 老婶 老叔 老汉儿 老汉 阿姐 阿妹 阿哥 阿弟 导师 工头 包工头 堂姐夫 堂妹夫 "
    # Round 13: Minnan grandparents, a husband's elder sister.
    "阿嬷 大姑姐 小姑姐 老伴 老伴儿 姨夫 二姨夫 大姨夫 小姨夫 姨丈 姑丈 "
    # Round 19 (r19g): in-laws' parents, formal and Cantonese kin, children by birth order.
    "亲家公 亲家母 家父 家母 舍弟 舍妹 家兄 家姐 家婆 大伯母 大舅妈 阿伯 阿姆 "
    "老大 老二 老三 老幺 嬢嬢 孃孃 警察 民警 老爷"
)
# Two people in one word.
PAIR = words(
    "爸妈 父母 爹妈 爹娘 公婆 岳父母 两口子 小两口 老两口 夫妻 夫妇 二老 双亲 哥嫂 爷娘 双胞胎 "
    # Cantonese: father and son, mother and son, husband and wife.
    "两仔爷 两仔乸 两公婆"
)
# Could be one or several (朋友来 may be a few friends): counted as one only when the
# person is someone's own (我朋友, 他司机) or listed with others (朋友和他老婆).
LOOSE = words(
    "朋友 好友 老友 同事 老同事 同学 老同学 舍友 室友 发小 闺蜜 兄弟 姐妹 哥们 战友 "
    "老乡 同乡 网友 牌友 邻居 中介 客户 司机 师傅 工人 保洁 家政 护工 跑腿 代驾 "
    "快递员 快递小哥 外卖员 钟点工 小哥 老师 医生 大夫 护士 律师 设计师 工程师 学生 徒弟 助理 秘书 "
    "伙伴 小伙伴 姑娘 小姑娘 小伙子 家长 孩子 小孩 娃 宝宝 小朋友 老人 老人家 大人 成人 儿童 "
    "学徒 电工 木工 水电工 油漆工 泥瓦工 瓦工 泥工 焊工 管道工 骑手 外卖骑手 囡囡 friend "
    # Round 13: someone sent by a company or on an errand (顺丰的 明天来取件, 美团买菜的
    # 马上到): one person, unless a number says otherwise.
    "项目经理 经理 同志 外卖仔 快递仔 送货的 送快递的 送外卖的 送水的 送餐的 跑腿的 "
    "装宽带的 抄表的 装表的 顺丰的 京东的 美团的 饿了么的 燃气公司的 自来水公司的 "
    "电力公司的 供电局的 移动的 联通的 电信的 "
    # Round 16: friends from a pastime (七八个球友).
    "球友 棋友 钓友 驴友 麻友 酒友 书友"
)
# Several people of unknown number; never a count by themselves.
CROWD = words("亲戚 亲人 家人 家属 客人 访客 娘家人 亲眷")
PERSON = SINGLE | PAIR | LOOSE | CROWD
# Outside the family: after a relative with nothing between, the relative is the owner
# (女儿男朋友 is one person, unlike 闺女女婿).
SOCIAL = words(
    "朋友 好友 男朋友 女朋友 男友 女友 对象 同事 老同事 同学 老同学 舍友 室友 闺蜜 发小 "
    "哥们 战友 网友 邻居 老师 家教 家教老师 司机 老板 领导 师父 师傅"
)
# Common surnames, for 王师傅 / 李老师 (one person); nlu.slots reads names with them too.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤欧"
)
TITLES = "师傅|老师|医生|律师|先生|女士|小姐|经理|总|工"
# Trades that name the kind of helper before the word for them: 家政阿姨, 保洁阿姨.
TRADE = "家政|保洁|快递|外卖|装修|维修|搬家|钟点"
# A gathering means several people, though not how many (同学聚会 is not one classmate).
GATHERINGS = words("聚会 聚餐 派对 团建 饭局 请客 开会 生日会")
# Nouns that describe the whole party rather than one kind of visitor (三个老人家 after
# "我妈 我姨 还有我外婆" is those three again).
GENERIC = words(
    "老人 老人家 大人 成人 儿童 小孩 小孩子 孩子 小朋友 娃 宝宝 "
    "男孩 女孩 小男孩 小女孩 男孩子 女孩子 "
    # Round 18: babies (两个成人 一个婴儿, 三个大人 一个奶娃娃).
    "婴儿 婴孩 奶娃娃 娃娃 小娃娃"
)
WORDS = alternation(PERSON)
# What may follow a number of people: every person word, the generic ones, and the
# endings of trade nouns (木工, 快递员, 工程师, 送货佬, 外卖仔). A noun may run on
# (家政阿姨, 快递小哥), and 的 makes one of a phrase (收旧家电的, 装空调的师傅).
NOUNS = (
    "(?:"
    + alternation(PERSON | GENERIC | words("人 人员 工作人员"))
    # Endings only after a modifier (木工, 工程师), so 有个生日派对 has no 生.
    + "|(?<![个位名俩仨])[工员师佬匠手生士哥姐嫂仔]"
    + f"|的)(?:{WORDS})?"
)
