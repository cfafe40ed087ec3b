"""Greetings, follows and unfollows, and anything the bot did not understand: never silence."""

from __future__ import annotations

from handlers.effects import MarkResident
from handlers.texts import MENU, NOT_UNDERSTOOD, WELCOME
from handlers.types import Outcome
from nlu import Intent


def subscribed() -> Outcome:
    return Outcome(reply=WELCOME, effects=(MarkResident(active=True),), intent="subscribe")


def unsubscribed() -> Outcome:
    # WeChat shows nothing to someone who has just unfollowed; only record it.
    return Outcome(reply=None, effects=(MarkResident(active=False),), intent="unsubscribe")


def greeting() -> Outcome:
    return Outcome(reply="您好！" + MENU, intent=Intent.GREETING)


def not_understood() -> Outcome:
    return Outcome(reply=NOT_UNDERSTOOD, intent=Intent.OTHER)
