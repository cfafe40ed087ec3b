"""Typed settings from the environment and an optional `.env` file."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_TOKEN_FILE = Path(".propbot/dev_token")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    propbot_env: Literal["dev", "production"] = "dev"
    propbot_host: str = "127.0.0.1"
    propbot_port: int = 8080
    # Public base URL the WeChat console should call; only used in start-up hints.
    propbot_public_url: str = ""

    wechat_token: str = ""
    wechat_appid: str = ""
    wechat_secret: str = ""
    # 43 characters when set; safe (AES) mode is on exactly when this is set.
    wechat_aes_key: str = ""
    wechat_api_base: str = "https://api.weixin.qq.com"

    database_url: str = "sqlite+aiosqlite:///./propbot.db"
    redis_url: str = "memory://"

    reply_budget_seconds: float = Field(4.0, gt=0, le=4.8)
    replay_window_seconds: int = Field(300, ge=1)
    max_body_bytes: int = Field(64 * 1024, ge=1024)
    conversation_ttl_seconds: int = Field(1800, ge=1)
    dedupe_ttl_seconds: int = Field(3600, ge=60)
    user_lock_seconds: float = Field(30.0, gt=0)
    # A message answered before it was handled is tried again after this long if its
    # handling has not committed (a crash, a failure); the first try is still running
    # in a healthy process only if it is slower than this.
    late_retry_seconds: int = Field(120, ge=1)
    # A fixed namespace lets several estates share one Redis.
    redis_prefix: str = "propbot"
    # The consultation knowledge base (TOML); empty means the one shipped with propbot.
    propbot_faq_path: str = ""
    # The estate's config file (TOML: staff groups and their robots); see propbot.example.toml.
    propbot_config: str = ""

    # A template message for residents outside WeChat's 48-hour window (optional).
    wechat_template_id: str = ""
    wechat_template_field: str = "thing1"

    # WeCom: one group robot for everything, unless the config file names one per group.
    wecom_webhook_url: str = ""
    wecom_bot_token: str = ""
    wecom_bot_aes_key: str = ""
    wecom_corp_id: str = ""
    wecom_app_token: str = ""
    wecom_app_aes_key: str = ""
    wecom_app_secret: str = ""
    wecom_agent_id: str = ""
    wecom_api_base: str = "https://qyapi.weixin.qq.com"

    # The outbox sender: attempts before a message is given up, and how often it looks.
    outbox_max_attempts: int = Field(8, ge=1)
    outbox_poll_seconds: float = Field(1.0, gt=0)
    # How often the scheduler looks for due reminders, escalations and polls.
    scheduler_interval_seconds: float = Field(5.0, gt=0)

    @field_validator("wechat_aes_key")
    @classmethod
    def _aes_key_length(cls, value: str) -> str:
        if value and len(value) != 43:
            raise ValueError("WECHAT_AES_KEY 必须是 43 个字符 (must be 43 characters)")
        return value

    @property
    def safe_mode(self) -> bool:
        return bool(self.wechat_aes_key)

    @property
    def uses_memory_redis(self) -> bool:
        return self.redis_url.startswith("memory://")

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class ConfigError(RuntimeError):
    """A setting makes it impossible to start; the message says what to change."""


def ensure_token(settings: Settings) -> tuple[Settings, bool]:
    """Return settings with a WeChat token, generating (and keeping) one in dev mode.

    The generated token is written to `.propbot/dev_token` so that restarts and
    `propbot chat` use the same one the developer pasted into the WeChat console.
    """
    if settings.wechat_token:
        return settings, False
    if settings.propbot_env != "dev":
        raise ConfigError("WECHAT_TOKEN is required outside dev mode (PROPBOT_ENV=production).")
    if DEV_TOKEN_FILE.exists():
        token = DEV_TOKEN_FILE.read_text(encoding="utf-8").strip()
    else:
        token = secrets.token_urlsafe(24)
        DEV_TOKEN_FILE.parent.mkdir(parents=True, exist_ok=True)
        DEV_TOKEN_FILE.write_text(token + "\n", encoding="utf-8")
    return settings.model_copy(update={"wechat_token": token}), True
