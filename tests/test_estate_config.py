"""The shipped propbot.example.toml loads, and what it says is what the bot uses."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.estate import GROUPS, EstateConfig
from bot.menu import DEFAULT_MENU, menu_from
from bot.settings import Settings
from handlers.sla import Policy

EXAMPLE = Path(__file__).resolve().parents[1] / "propbot.example.toml"


def test_example_config_loads() -> None:
    settings = Settings.model_validate({"propbot_config": str(EXAMPLE)})
    estate = EstateConfig.load(settings)
    assert all(estate.webhook_for(group) for group in GROUPS)
    policy = Policy.load(str(EXAMPLE))
    assert policy.limits_for("repair", "urgent").respond == timedelta(minutes=5)
    assert policy.limits_for("repair", "normal").resolve == timedelta(hours=72)
    assert policy.poll_close == timedelta(hours=72)
    # The example shows the defaults (plus a holiday list): loading it changes nothing else.
    assert replace(policy, holidays=frozenset()) == Policy()
    assert menu_from(settings) == DEFAULT_MENU


def test_single_webhook_serves_every_group(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings.model_validate({"wecom_webhook_url": "http://127.0.0.1/hook"})
    estate = EstateConfig.load(settings)
    assert {estate.webhook_for(group) for group in GROUPS} == {"http://127.0.0.1/hook"}
    monkeypatch.setenv("PROPBOT_GROUP_GATE_WEBHOOK", "http://127.0.0.1/gate")
    assert EstateConfig.load(settings).webhook_for("gate") == "http://127.0.0.1/gate"
