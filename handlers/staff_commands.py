"""Staff commands written in a WeCom group ("接单 1024"): parsing, usage, who may do what.

Pure: `parse` turns text into a Command or a usage message; `bot/staff_actions.py` carries
commands out against the database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# command -> (aliases, needs a ticket number, needs a target person, needs text, usage)
SPECS: dict[str, tuple[tuple[str, ...], bool, bool, bool, str]] = {
    "claim": (("接单", "claim"), True, False, False, "接单 工单号"),
    "assign": (("派单", "assign"), True, True, False, "派单 工单号 @姓名"),
    "transfer": (("转单", "transfer"), True, True, False, "转单 工单号 @姓名"),
    "return": (("退单", "return"), True, False, True, "退单 工单号 原因"),
    "start": (("开始", "出发", "start"), True, False, False, "开始 工单号"),
    "resolve": (("完成", "done", "resolve"), True, False, False, "完成 工单号 说明"),
    "reply": (("回复", "reply"), True, False, True, "回复 工单号 给住户的话"),
    "pause": (("暂停", "pause"), True, False, True, "暂停 工单号 原因"),
    "resume": (("恢复", "resume"), True, False, False, "恢复 工单号"),
    "note": (("备注", "note"), True, False, True, "备注 工单号 内部备注"),
    "show": (("查询", "查看", "show"), True, False, False, "查询 工单号"),
    "todo": (("待办", "我的", "todo"), False, False, False, "待办"),
    "overdue": (("超时", "overdue"), False, False, False, "超时"),
    "verify": (("核验", "verify"), False, False, False, "核验 通行码"),
    "help": (("帮助", "help", "?"), False, False, False, "帮助"),
}
ALIASES = {alias: name for name, spec in SPECS.items() for alias in spec[0]}
SUPERVISOR_ONLY = frozenset({"assign"})
SUPERVISORS = frozenset({"supervisor", "manager"})

HELP = "可用命令：\n" + "\n".join(f"· {spec[4]}" for spec in SPECS.values())

_NUMBER = re.compile(r"^#?(\d{1,9})$")
_TARGET = re.compile(r"^@?(\S+)$")


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    number: int | None = None
    target: str | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class Usage:
    """Not a valid command; `message` says how to write it."""

    message: str


def normalise(text: str) -> str:
    # Phones type full-width digits and spaces; NFKC folds them to ASCII.
    return " ".join(unicodedata.normalize("NFKC", text).split())


def parse(text: str) -> Command | Usage:
    words = normalise(text).split(" ")
    head = words[0].lower() if words and words[0] else ""
    name = ALIASES.get(head)
    if name is None:
        # "接单1024" without a space.
        for alias, candidate in ALIASES.items():
            if head.startswith(alias) and _NUMBER.match(head[len(alias) :]):
                name = candidate
                words = [alias, head[len(alias) :], *words[1:]]
                break
    if name is None:
        return Usage(f"没看懂这条命令。{HELP}")
    _aliases, needs_number, needs_target, needs_text, usage = SPECS[name]
    rest = words[1:]
    if name == "verify":
        return Command(name, text=rest[0]) if rest else Usage(f"用法：{usage}")
    number = None
    if needs_number:
        match = _NUMBER.match(rest[0]) if rest else None
        if match is None:
            return Usage(f"请带上工单号。用法：{usage}")
        number = int(match.group(1))
        rest = rest[1:]
    target = None
    if needs_target:
        match = _TARGET.match(rest[0]) if rest else None
        if match is None:
            return Usage(f"请写明交给谁。用法：{usage}")
        target = match.group(1)
        rest = rest[1:]
    body = " ".join(rest).strip()
    if needs_text and not body:
        return Usage(f"请写上内容。用法：{usage}")
    return Command(name, number=number, target=target, text=body)


def allowed(command: Command, role: str) -> str | None:
    """None when `role` may run the command, else the refusal to show."""
    if command.name in SUPERVISOR_ONLY and role not in SUPERVISORS:
        return "只有主管可以派单，您可以用“接单”或“转单”。"
    return None
