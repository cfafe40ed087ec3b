"""`propbot chat`: the simulator sends real signed requests and shows the bot's answers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.chat import run_chat
from bot.settings import Settings
from storage.db import Database
from storage.models import Base, Ticket
from tests.conftest import AES_KEY, APPID, ESTATE, TOKEN
from tests.dialogue import DIALOGUES, bind, parse, seed_households

TRANSCRIPT = Path(__file__).parent / "data" / "transcripts" / "repair_demo.txt"


async def _seeded(url: str) -> Database:
    db = Database(url)
    await db.upgrade()
    await seed_households(db)
    return db


@pytest.mark.parametrize("aes_key", ["", AES_KEY], ids=["plain", "safe"])
async def test_chat_script_turns_a_repair_into_a_ticket(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], aes_key: str
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"
    db = await _seeded(url)
    settings = Settings.model_validate(
        {
            "wechat_token": TOKEN,
            "wechat_aes_key": aes_key,
            "wechat_appid": APPID,
            "database_url": url,
            "redis_url": "memory://",
            "propbot_config": str(ESTATE),
        }
    )
    code = await run_chat(settings, url=None, openid="o_chat_1", script=TRANSCRIPT)
    out = capsys.readouterr().out
    assert code == 0
    assert "我> /subscribe" in out and "欢迎关注" in out
    assert "验证成功，已绑定 3栋2单元1201" in out
    assert "物业> 工单 #1001 已受理" in out
    async with db.read() as session:
        tickets = list(await session.scalars(select(Ticket)))
    await db.dispose()
    assert [t.description for t in tickets] == ["卫生间地漏堵了，下水很慢"]


async def test_every_dialogue_through_propbot_chat_against_a_running_server(
    tmp_path: Path,
) -> None:
    """The console scripts end to end: `propbot serve`, then `propbot chat --script` replaying
    every single-resident transcript, each on an emptied database (so ticket numbers match)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}"
    db = await _seeded(url)
    port = _free_port()
    env = {
        "PATH": str(Path(sys.executable).parent),
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_AES_KEY": AES_KEY,
        "WECHAT_APPID": APPID,
        "DATABASE_URL": url,
        "PROPBOT_PORT": str(port),
        "PROPBOT_CONFIG": str(ESTATE),
    }
    bin_dir = Path(sys.executable).parent
    with (tmp_path / "serve.log").open("w") as log:
        server = subprocess.Popen(
            [str(bin_dir / "propbot"), "serve"],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(port)
            for index, path in enumerate(sorted(DIALOGUES.glob("*.txt"))):
                turns = parse(path)
                if any(t.directive and t.directive[0] == "as" for t in turns):
                    continue
                openid = f"o_e2e_{index}"
                await _empty(db)
                for turn in turns:
                    if turn.directive and len(turn.directive) > 1:
                        await bind(db, openid, turn.directive[1])
                said = [t for t in turns if t.says]
                script = tmp_path / f"{path.stem}.txt"
                script.write_text("\n".join(t.says for t in said) + "\n", encoding="utf-8")
                chat = subprocess.run(
                    [
                        str(bin_dir / "propbot"),
                        "chat",
                        "--url",
                        f"http://127.0.0.1:{port}",
                        "--openid",
                        openid,
                        "--script",
                        str(script),
                    ],
                    env=env,
                    cwd=tmp_path,
                    capture_output=True,
                    text=True,
                    timeout=60,
                    check=False,
                )
                assert chat.returncode == 0, chat.stderr
                replies = _replies(chat.stdout)
                assert len(replies) == len(said), (path.name, chat.stdout)
                for turn, reply in zip(said, replies, strict=True):
                    for words in turn.expect:
                        assert words in reply, (path.name, turn.says, reply)
        finally:
            server.terminate()
            server.wait(timeout=10)
            await db.dispose()


def _replies(stdout: str) -> list[str]:
    """The bot's answer to each `我>` line (several lines each, up to the next `我>`)."""
    replies: list[str] = []
    for block in stdout.split("我> ")[1:]:
        replies.append(block.split("\n", 1)[1] if "\n" in block else "")
    return replies


async def _empty(db: Database) -> None:
    """Delete every row (children first) and restart ticket numbers, under the live server."""
    async with db.write() as session:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "alembic_version":
                await session.execute(table.delete())
        await session.execute(text("UPDATE sqlite_sequence SET seq = 1000 WHERE name = 'tickets'"))
    await seed_households(db)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("propbot serve did not become ready")
