"""Greetings, follows and unfollows, and anything the bot did not understand: never silence."""

from __future__ import annotations

import re

from handlers.effects import MarkResident
from handlers.texts import MENU, NOT_UNDERSTOOD, WELCOME
from handlers.types import Outcome
from nlu import Intent


def subscribed() -> Outcome:
    return Outcome(reply=WELCOME, effects=(MarkResident(active=True),), intent="subscribe")


def unsubscribed() -> Outcome:
    # WeChat shows nothing to someone who has just unfollowed; only record it.
    return Outcome(reply=None, effects=(MarkResident(active=False),), intent="unsubscribe")


# Small talk the NLU files under `greeting` besides hello: thanks, okay, goodbye. A resident
# who says 谢谢 wants "不客气", not the menu again.
_THANKS = re.compile(r"谢|感谢|辛苦|麻烦(?:你|您)?了|唔该|多得|thank|thx", re.IGNORECASE)
_BYE = re.compile(r"再见|拜拜|bye|晚安", re.IGNORECASE)
_OKAY = re.compile(
    r"好的|好滴|好嘞|好吧|收到|知道了|明白|了解|ok|行|嗯|哦|可以|没事|没关系", re.IGNORECASE
)


def greeting(text: str = "") -> Outcome:
    if _THANKS.search(text):
        reply = "不客气！有需要随时找我。"
    elif _BYE.search(text):
        reply = "再见，有需要随时找我。"
    elif _OKAY.search(text) and not re.search(r"你好|您好|在吗|在不在|有人吗", text):
        reply = "好的，有需要随时找我。"
    else:
        reply = "您好！" + MENU
    return Outcome(reply=reply, intent=Intent.GREETING)


def not_understood() -> Outcome:
    return Outcome(reply=NOT_UNDERSTOOD, intent=Intent.OTHER)
