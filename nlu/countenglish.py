"""English party words as residents mix them into registrations ("2 ppl", "family of four",
"my sister + her husband + their baby"), rewritten as the Chinese words nlu.counts
already reads (2个人, 一家四口, 我姐和她老公和他们宝宝).

A rewrite instead of a second grammar, as for times (nlu.timeenglish): how people named,
numbered and joined add up stays in one place. Only the head count reads the rewritten
text, and only when the message holds a Latin word."""

from __future__ import annotations

import re

from nlu.timeenglish import LATIN_WORD

_NUMBERS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
}
_NUMBER = r"(?P<n>[1-9][0-9]?|" + "|".join(_NUMBERS) + ")"

# Plural nouns after a number, and the Chinese word nlu.people knows for them.
_GROUPS = {
    "人": r"people|ppl|persons?|pax|guests?|visitors?|adults?|of us|of them",
    "小孩": r"kids?|children|child|bab(?:y|ies)|toddlers?",
    "朋友": r"friends?|buddies|mates",
    "同事": r"colleagues?|co-?workers?",
    "同学": r"classmates?|students?",
    "工人": r"workers?|plumbers?|electricians?|movers?|guys|cleaners?|painters?"
    r"|technicians?|installers?",
    "亲戚": r"relatives?",
    "姐妹": r"sisters",
    "兄弟": r"brothers",
}
# One person (or two) named by who they are; "my"/"her"/"their" say whose. No two-letter
# short forms (bf, gf): plates hold letter pairs (沪A·BF927).
_KIN = {
    "爸妈": r"parents|folks",
    "公婆": r"in-?laws",
    "爷爷奶奶": r"grandparents",
    "奶奶": r"grandma|grandmother|granny|nana",
    "爷爷": r"grandpa|grandfather",
    "妈": r"mom|mum|mother|mommy|mummy",
    "爸": r"dad|father|daddy",
    "姐": r"sister|sis",
    "哥": r"brother|bro",
    "老婆": r"wife",
    "老公": r"husband|hubby",
    "儿子": r"son",
    "女儿": r"daughter",
    "宝宝": r"baby|newborn",
    "姑姑": r"aunt|auntie|aunty",
    "叔叔": r"uncle",
    "表哥": r"cousin",
    "男朋友": r"boyfriend",
    "女朋友": r"girlfriend",
    "朋友": r"friend|buddy|mate",
    "同事": r"colleague|coworker|co-worker",
    "保姆": r"nanny|maid|helper|babysitter|caregiver|carer",
}
_OWNERS = {"my": "我", "our": "我们", "her": "她", "his": "他", "their": "他们", "a": "", "an": ""}


def _number(raw: str) -> str:
    return _NUMBERS.get(raw, raw)


def _alternation(table: dict[str, str]) -> str:
    return "|".join(f"(?P<k{i}>{pattern})" for i, pattern in enumerate(table.values()))


_GROUP_WORDS = list(_GROUPS)
_KIN_WORDS = list(_KIN)
# (One word may stand between: "2 delivery guys".)
_GROUP_RE = re.compile(rf"(?<![a-z]){_NUMBER}\s*(?:[a-z]+\s+)?(?:{_alternation(_GROUPS)})(?![a-z])")
_FAMILY_RE = re.compile(rf"(?<![a-z])family of {_NUMBER}(?![a-z])")
_JUST_RE = re.compile(
    r"(?<![a-z])(?:just|only) (?:one|1)(?: person| of (?:him|her|them))?(?![a-z])"
)
_KIN_RE = re.compile(
    rf"(?<![a-z])(?:(?P<own>my|our|her|his|their|a|an)\s+)?(?:{_alternation(_KIN)})(?![a-z])"
    r"(?P<poss>'s)?"
)
_JOIN_RE = re.compile(r"\s*(?:\+|&|(?<![a-z])(?:and|n)(?![a-z]))\s*")
# "visiting my aunt": the one visited is not a visitor.
_VISITING_RE = re.compile(r"(?<![a-z])visit(?:ing)?\s+(?=my|our|his|her|their)")
_WITH_RE = re.compile(r"(?<![a-z])with(?![a-z])")
_OWNED_GAP = re.compile(r"的\s+")


def _which(match: re.Match[str], words: list[str]) -> str:
    for i, word in enumerate(words):
        if match.group(f"k{i}"):
            return word
    return words[0]


def _group(match: re.Match[str]) -> str:
    return f" {_number(match.group('n'))}个{_which(match, _GROUP_WORDS)} "


def _kin(match: re.Match[str]) -> str:
    owner = _OWNERS.get(match.group("own") or "", "")
    # "my husband's grandma": the husband owns the visitor, as 我老公的奶奶 says.
    tail = "的" if match.group("poss") else " "
    return f" {owner}{_which(match, _KIN_WORDS)}{tail}"


def english_party(text: str) -> str:
    """`text` with English numbers of people, relatives and joining words in Chinese;
    unchanged when it has no Latin word."""
    if not LATIN_WORD.search(text):
        return text
    text = _FAMILY_RE.sub(lambda m: f" 一家{_number(m.group('n'))}口 ", text)
    text = _JUST_RE.sub(" 就一个人 ", text)
    text = _VISITING_RE.sub(" 看望", text)
    text = _GROUP_RE.sub(_group, text)
    text = _KIN_RE.sub(_kin, text)
    text = _WITH_RE.sub("带", text)
    return _OWNED_GAP.sub("的", _JOIN_RE.sub("和", text))
