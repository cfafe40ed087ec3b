"""The estate's configuration file (TOML): which staff group chat gets what."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from bot.settings import ConfigError, Settings


def group_for_kind(kind: str) -> str:
    """The group chat that owns a kind of ticket: repairs to the repair group, the rest
    to customer service."""
    return "repair" if kind == "repair" else "service"


GROUPS = ("repair", "service", "gate", "supervisors", "manager")


@dataclass(frozen=True)
class EstateConfig:
    webhooks: dict[str, str] = field(default_factory=dict)
    default_webhook: str = ""

    def webhook_for(self, group: str) -> str | None:
        return self.webhooks.get(group) or self.default_webhook or None

    @classmethod
    def load(cls, settings: Settings) -> EstateConfig:
        webhooks: dict[str, str] = {}
        if settings.propbot_config:
            path = Path(settings.propbot_config)
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"cannot read PROPBOT_CONFIG {path}: {exc}") from None
            groups = data.get("groups", {})
            if not isinstance(groups, dict):
                raise ConfigError(f"{path}: [groups] must be a table")
            for name, table in groups.items():
                url = table.get("webhook") if isinstance(table, dict) else None
                if url:
                    webhooks[str(name)] = str(url)
        for name in {*GROUPS, *webhooks}:
            override = os.environ.get(f"PROPBOT_GROUP_{name.upper()}_WEBHOOK")
            if override:
                webhooks[name] = override
        return cls(webhooks=webhooks, default_webhook=settings.wecom_webhook_url)
