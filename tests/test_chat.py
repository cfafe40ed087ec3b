"""`propbot chat`: the simulator sends real signed requests and shows the bot's answers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.chat import run_chat
from bot.settings import Settings
from storage.db import Database
from storage.models import Ticket
from tests.conftest import AES_KEY, APPID, TOKEN

TRANSCRIPT = Path(__file__).parent / "data" / "transcripts" / "repair_demo.txt"


@pytest.mark.parametrize("aes_key", ["", AES_KEY], ids=["plain", "safe"])
async def test_chat_script_turns_a_repair_into_a_ticket(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], aes_key: str
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"
    settings = Settings.model_validate(
        {
            "wechat_token": TOKEN,
            "wechat_aes_key": aes_key,
            "wechat_appid": APPID,
            "database_url": url,
            "redis_url": "memory://",
        }
    )
    code = await run_chat(settings, url=None, openid="o_chat_1", script=TRANSCRIPT)
    out = capsys.readouterr().out
    assert code == 0
    assert "我> /subscribe" in out and "欢迎关注" in out
    assert "请描述一下" in out
    assert "物业> 工单 #1001 已受理" in out
    db = Database(url)
    async with db.read() as session:
        tickets = list(await session.scalars(select(Ticket)))
    await db.dispose()
    assert [t.description for t in tickets] == ["卫生间地漏往上返水，味道很大"]


def test_chat_command_line_against_a_running_server(tmp_path: Path) -> None:
    """The console script end to end: `propbot serve` in one process, `propbot chat --url`."""
    env = {
        "PATH": str(Path(sys.executable).parent),
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_AES_KEY": AES_KEY,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
    }
    propbot = str(Path(sys.executable).parent / "propbot")
    port = _free_port()
    env["PROPBOT_PORT"] = str(port)
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [propbot, "serve"], env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait_ready(port)
        chat = subprocess.run(
            [propbot, "chat", "--url", f"http://127.0.0.1:{port}", "--script", str(TRANSCRIPT)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert chat.returncode == 0, chat.stderr
        assert "工单 #1001 已受理" in chat.stdout, (tmp_path / "serve.log").read_text()
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(port: int) -> None:
    import time
    import urllib.request

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("propbot serve did not become ready")
