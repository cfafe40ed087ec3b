"""Parsing staff commands: aliases, full-width input, missing arguments, permissions."""

from __future__ import annotations

import pytest

from handlers.staff_commands import Command, Usage, allowed, parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("接单 1024", Command("claim", 1024)),
        ("接单 #1024", Command("claim", 1024)),
        ("接单１０２４", Command("claim", 1024)),
        ("  接单　 1024  ", Command("claim", 1024)),
        ("claim 1024", Command("claim", 1024)),
        ("派单 1024 @张伟", Command("assign", 1024, "张伟")),
        ("转单 #1024 zhangwei", Command("transfer", 1024, "zhangwei")),
        ("退单 1024 缺配件 明天再来", Command("return", 1024, text="缺配件 明天再来")),
        ("完成 1024", Command("resolve", 1024)),
        ("完成 1024 已更换水龙头", Command("resolve", 1024, text="已更换水龙头")),
        ("回复 1024 明天上午九点到", Command("reply", 1024, text="明天上午九点到")),
        ("核验 382910", Command("verify", text="382910")),
        ("待办", Command("todo")),
        ("超时", Command("overdue")),
        ("帮助", Command("help")),
    ],
)
def test_commands_parse(text: str, expected: Command) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("接单", "请带上工单号"),
        ("接单 abc", "请带上工单号"),
        ("派单 1024", "请写明交给谁"),
        ("回复 1024", "请写上内容"),
        ("退单 1024", "请写上内容"),
        ("核验", "用法"),
        ("今天天气不错", "没看懂"),
        ("", "没看懂"),
    ],
)
def test_bad_commands_answer_with_usage(text: str, hint: str) -> None:
    result = parse(text)
    assert isinstance(result, Usage) and hint in result.message


def test_only_supervisors_assign() -> None:
    command = parse("派单 1024 @张伟")
    assert isinstance(command, Command)
    assert allowed(command, "technician") is not None
    assert allowed(command, "supervisor") is None
    claim = parse("接单 1024")
    assert isinstance(claim, Command) and allowed(claim, "technician") is None
