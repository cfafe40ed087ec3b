"""The Official Account's custom menu: buttons whose CLICK keys start the matching service."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from bot.settings import ConfigError, Settings

# The keys `handlers.dispatcher.MENU_KEYS` understands.
DEFAULT_MENU: dict[str, Any] = {
    "button": [
        {"type": "click", "name": "报修", "key": "REPAIR"},
        {
            "name": "服务",
            "sub_button": [
                {"type": "click", "name": "投诉建议", "key": "COMPLAINT"},
                {"type": "click", "name": "咨询", "key": "CONSULT"},
                {"type": "click", "name": "访客登记", "key": "VISITOR"},
            ],
        },
        {"type": "click", "name": "我的工单", "key": "MY_TICKETS"},
    ]
}


def menu_from(settings: Settings) -> dict[str, Any]:
    """`[menu]` from the estate's config file (same shape as WeChat's JSON), or the default."""
    if not settings.propbot_config:
        return DEFAULT_MENU
    path = Path(settings.propbot_config)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read PROPBOT_CONFIG {path}: {exc}") from None
    menu = data.get("menu")
    if menu is None:
        return DEFAULT_MENU
    if not isinstance(menu, dict) or not isinstance(menu.get("button"), list):
        raise ConfigError(f"{path}: [menu] needs a `button` list")
    return menu
