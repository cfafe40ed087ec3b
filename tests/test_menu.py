"""`propbot menu push` sends the menu to the WeChat API (a local fake here)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cli import _push_menu
from bot.menu import DEFAULT_MENU, menu_from
from bot.settings import ConfigError, Settings
from handlers.dispatcher import MENU_KEYS
from tests.fakes.wechat_api import MENU_CREATE, FakeWeChatApi

APPID, SECRET = "wx-menu", "menu-secret"


@pytest.fixture
async def fake() -> AsyncIterator[FakeWeChatApi]:
    fake = FakeWeChatApi(appid=APPID, secret=SECRET)
    async with fake.running():
        yield fake


def _keys(menu: dict[str, object]) -> set[str]:
    keys: set[str] = set()
    for button in menu["button"]:  # type: ignore[attr-defined]
        for item in [button, *button.get("sub_button", [])]:
            if "key" in item:
                keys.add(item["key"])
    return keys


def test_every_default_button_starts_something() -> None:
    assert _keys(DEFAULT_MENU) <= set(MENU_KEYS)


async def test_menu_push_sends_the_default_menu(fake: FakeWeChatApi) -> None:
    settings = Settings.model_validate(
        {
            "wechat_appid": APPID,
            "wechat_secret": SECRET,
            "wechat_api_base": fake.base_url,
            "wechat_token": "t",
        }
    )
    await _push_menu(settings)
    (call,) = fake.calls(MENU_CREATE)
    assert call.body == DEFAULT_MENU


def test_menu_from_config(tmp_path: Path) -> None:
    config = tmp_path / "estate.toml"
    config.write_text(
        '[menu]\nbutton = [{ type = "click", name = "报修", key = "REPAIR" }]\n', encoding="utf-8"
    )
    settings = Settings.model_validate({"propbot_config": str(config)})
    assert menu_from(settings) == {"button": [{"type": "click", "name": "报修", "key": "REPAIR"}]}
    config.write_text("[menu]\nbutton = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        menu_from(settings)
