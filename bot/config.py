"""Settings read from the environment (see README: Configuration)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///mentorbot.db"

HOW_TO_GET_TOKENS = (
    "create the Slack app from manifest.yml (see README: Create the Slack app), "
    "install it to your workspace, then copy the Bot User OAuth Token (xoxb-…) "
    "and the Signing Secret from the app's settings"
)


class ConfigError(Exception):
    """The environment is missing something the command needs."""


class Settings(BaseSettings):
    """Everything an operator configures, from environment variables."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    mentorbot_coordinators: str = ""
    # Distribution to many workspaces (OAuth): set both instead of SLACK_BOT_TOKEN.
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    # Fernet keys (comma-separated, newest first) that encrypt tokens at rest.
    mentorbot_token_keys: SecretStr | None = None
    # Days an uninstalled workspace's data is kept before it is purged.
    mentorbot_retention_days: int = Field(default=30, ge=0, le=3650)
    port: int = Field(default=3000, ge=1, le=65535)
    log_level: str = "INFO"
    # "json": one JSON object per log line (see README: Operations).
    log_format: Literal["text", "json"] = "text"

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        # slack_sdk joins method names onto the base URL, so it must end with "/".
        return value if value.endswith("/") else value + "/"

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _psycopg_driver(cls, value: str) -> str:
        # Accept the common postgres:// spellings and use the psycopg 3 driver we ship.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @property
    def oauth(self) -> bool:
        """Installed workspace by workspace through OAuth, rather than with one bot token."""
        return bool(self.slack_client_id) and self.slack_bot_token is None

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def coordinator_ids(self) -> frozenset[str]:
        return frozenset(u.strip() for u in self.mentorbot_coordinators.split(",") if u.strip())

    def require_slack(self) -> None:
        """Raise ConfigError naming every Slack setting that serving needs but lacks."""
        missing = []
        if self.oauth:
            if self.slack_client_secret is None:
                missing.append("SLACK_CLIENT_SECRET")
            if self.mentorbot_token_keys is None:
                missing.append("MENTORBOT_TOKEN_KEYS")
        elif self.slack_bot_token is None or not self.slack_bot_token.get_secret_value():
            missing.append("SLACK_BOT_TOKEN")
        if not self.socket_mode and (
            self.slack_signing_secret is None or not self.slack_signing_secret.get_secret_value()
        ):
            missing.append("SLACK_SIGNING_SECRET")
        if missing:
            names = " and ".join(missing)
            verb = "is" if len(missing) == 1 else "are"
            raise ConfigError(f"{names} {verb} not set: {HOW_TO_GET_TOKENS}.")
