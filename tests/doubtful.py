"""Messages the NLU may half-suspect of being emergencies (Analysis.urgent_doubt)."""

from __future__ import annotations

from nlu import Intent, analyze

# Subtle messages, some of them emergencies in unusual words. Which of them fall in the
# doubt band depends on the trained model (nlu/data/model.json is retrained as data grows),
# so the band is found at test time from the model's own probability.
SUBTLE = [
    "厨房热水器一直嘶嘶的响",
    "热水器嘶嘶响有点味",
    "热水器那边嘶嘶响",
    "小孩手卡在门缝里了",
    "小孩手卡在门缝里了怎么办",
    "厨房热水器嘶嘶的",
    "楼上往下渗水，天花板湿了一大片",
    "孩子的手卡在门缝里拿不出来",
    "配电箱那边有滋滋的声音",
    "灶台那边一直有嘶嘶声",
    "厨房那边有股怪怪的味道",
    "邻居家门缝里飘出来一股味",
    "水表那里一直在喷",
    "孩子手指被门夹了",
    "孩子头卡在栏杆里了怎么办",
    "楼下好像有人在喊",
    "小孩的手被门夹住了",
    "楼下有小孩一直在哭",
    "楼道里有个人坐着不动",
    "外面好像有人喊救人",
    "门缝把小孩的手夹了",
]


def a_doubtful_message(intent: Intent) -> str:
    """A message of SUBTLE that the trained model, as it is now, reads as `intent` and doubts:
    tests of what the bot does with a doubt find one here rather than fixing a text that a
    retrained model may decide either way."""
    for text in SUBTLE:
        result = analyze(text)
        if result.urgent_doubt and result.intent is intent:
            return text
    raise AssertionError(f"no {intent.value} message of SUBTLE is doubtful: add some")
