"""The README's promises: the set-up commands it shows are the ones CI and users run."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bash_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    blocks = _bash_blocks(readme)
    test_command = next(b for b in blocks if b.endswith(".venv/bin/pytest"))
    assert test_command in ci.splitlines()
    serve_command = next(b for b in blocks if b.endswith("propbot serve"))
    assert serve_command.startswith("python3.11 -m venv .venv && ")


def test_every_env_setting_is_documented() -> None:
    from bot.settings import Settings

    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"\n{name.upper()}=" in example, name
