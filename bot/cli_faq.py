"""`propbot faq import FILE`, `faq export [FILE]` and `faq ask TEXT`: estate staff keep the
consultation knowledge base (咨询知识库) and try questions against it.

The knowledge base in use is the file named by PROPBOT_FAQ_PATH, or the one shipped in the
package when that is empty. Import never writes into the package: package data is replaced
on every upgrade, so edits there would silently disappear.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from handlers.faq import DEFAULT_FAQ_PATH, FaqError, FaqIndex, load_entries, to_toml

SETTING = "PROPBOT_FAQ_PATH"


def add_faq_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    faq = subparsers.add_parser("faq", help="the consultation knowledge base (咨询知识库)")
    commands = faq.add_subparsers(dest="faq_command", required=True)

    imp = commands.add_parser(
        "import", help=f"check FILE and make it the knowledge base ({SETTING})"
    )
    imp.add_argument("file", type=Path, help="a knowledge-base TOML file")
    imp.set_defaults(func=cmd_import)

    exp = commands.add_parser("export", help="write the knowledge base in use to FILE or stdout")
    exp.add_argument("file", type=Path, nargs="?", default=None, help="default: stdout")
    exp.set_defaults(func=cmd_export)

    ask = commands.add_parser("ask", help="which entry answers TEXT, with its score")
    ask.add_argument("text", nargs="+", help="a resident's question")
    ask.add_argument("--limit", type=int, default=3, help="how many candidates to list")
    ask.set_defaults(func=cmd_ask)


class _Refused(Exception):
    """A command cannot go ahead; the message (Chinese, for staff) says why."""


def configured_path() -> Path | None:
    """The PROPBOT_FAQ_PATH setting, or None when unset (the shipped knowledge base)."""
    from bot.settings import Settings

    try:
        settings = Settings()
    except ValueError as exc:  # pydantic's ValidationError: some other setting is invalid
        raise _Refused(f"配置错误：{exc}") from None
    value = getattr(settings, "propbot_faq_path", None)
    if value is None:  # an older Settings without the field: read the variable directly
        value = os.environ.get(SETTING, "")
    value = str(value).strip()
    return Path(value).expanduser() if value else None


def current_path() -> Path:
    """The knowledge base the bot answers from."""
    return configured_path() or DEFAULT_FAQ_PATH


def _staff_command(
    body: Callable[[argparse.Namespace], int],
) -> Callable[[argparse.Namespace], int]:
    """A `func=` for argparse: a refusal prints its reason and exits with status 2."""

    @functools.wraps(body)
    def run(args: argparse.Namespace) -> int:
        # jieba announces its dictionary on stderr; staff only need our own lines.
        logging.getLogger("jieba").setLevel(logging.WARNING)
        try:
            return body(args)
        except _Refused as exc:
            print(exc, file=sys.stderr)
            return 2

    return run


@_staff_command
def cmd_import(args: argparse.Namespace) -> int:
    source: Path = args.file
    target = configured_path()
    if target is None or _same_file(target, DEFAULT_FAQ_PATH):
        raise _Refused(
            f"未导入：没有设置 {SETTING}，不能覆盖随程序安装的默认知识库（升级时会被替换）。\n"
            f"请先设置知识库的存放位置，例如在 .env 里写 {SETTING}=/srv/propbot/faq.toml，"
            "再运行 propbot faq import。"
        )
    try:
        count = len(FaqIndex.load(source).entries)
    except FaqError as exc:
        raise _Refused(f"导入失败，知识库没有任何改动。\n{exc}") from None
    try:
        _write_atomically(target, source.read_bytes())
    except OSError as exc:
        raise _Refused(f"导入失败：无法写入 {target}（{exc.strerror}），知识库没有改动。") from None
    print(f"已导入 {count} 条问答：{target}")
    return 0


@_staff_command
def cmd_export(args: argparse.Namespace) -> int:
    path = current_path()
    try:
        entries = load_entries(path)
    except FaqError as exc:
        raise _Refused(f"导出失败：{exc}") from None
    text = to_toml(entries)
    out: Path | None = args.file
    if out is None:
        sys.stdout.write(text)
        return 0
    try:
        _write_atomically(out, text.encode("utf-8"))
    except OSError as exc:
        raise _Refused(f"导出失败：无法写入 {out}（{exc.strerror}）") from None
    print(f"已导出 {len(entries)} 条问答到 {out}（来自 {path}）")
    return 0


@_staff_command
def cmd_ask(args: argparse.Namespace) -> int:
    text = " ".join(args.text)
    path = current_path()
    try:
        index = FaqIndex.load(path)
    except FaqError as exc:
        raise _Refused(f"知识库无法使用：{exc}") from None
    print(f"知识库：{path}（{len(index.entries)} 条）")
    print(f"分词：{' / '.join(index.tokens(text)) or '（没有可用的词）'}")
    matches = index.search(text, limit=max(args.limit, 1))
    best = index.best(text)
    if best is not None:
        print(f"✔ 直接回答 {best.entry.id}（匹配度 {best.score:.2f} ≥ 阈值 {index.threshold:.2f}）")
        print(f"  问题：{best.entry.question}")
        print(f"  回答：{best.entry.answer}")
    else:
        top = f"最高匹配度 {matches[0].score:.2f}" if matches else "没有相关的问答"
        print(f"✘ 不直接回答（{top}，阈值 {index.threshold:.2f}），转人工客服")
    if matches:
        print("候选：")
        for match in matches:
            print(f"  {match.score:.2f}  {match.entry.id}  {match.entry.question}")
    return 0


def _same_file(a: Path, b: Path) -> bool:
    return a.expanduser().resolve() == b.resolve()


def _write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` in one step, so the bot never reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    try:
        temp.write_bytes(data)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
