"""Many workspaces: OAuth installs stored on our database with tokens encrypted at rest.

Tokens are encrypted with Fernet keys from MENTORBOT_TOKEN_KEYS (comma-separated, newest
first): the first key encrypts, every key decrypts, so a key is rotated by putting a new one
first, re-encrypting (`mentorbot rotate-token-key`), then dropping the old one.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_bolt import BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.callback_options import CallbackOptions, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine, select, update

from bot.config import ConfigError, Settings
from models.slack_oauth import BOTS_TABLE, INSTALLATIONS_TABLE, OAUTH_STATES_TABLE, TOKEN_COLUMNS

# The bot scopes asked for at install; tests/unit/test_manifest.py keeps them equal to manifest.yml.
SCOPES = ["commands", "chat:write", "users:read", "mpim:write", "files:write", "im:write"]
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_EXPIRATION_SECONDS = 600
PREFIX = "enc:"  # marks an encrypted value, so a plain one is never mistaken for one
# A rotating token (Slack's lasts 12 hours) is refreshed once it is this close to expiring.
REFRESH_MINUTES_BEFORE_EXPIRY = 120


class TokenCipher:
    """Encrypts and decrypts token strings with the configured keys."""

    def __init__(self, keys: str) -> None:
        try:
            fernets = [Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()]
        except ValueError as error:
            raise ConfigError(
                "MENTORBOT_TOKEN_KEYS must be Fernet keys (generate one with "
                "`mentorbot generate-token-key`)"
            ) from error
        if not fernets:
            raise ConfigError("MENTORBOT_TOKEN_KEYS is empty")
        self._fernet = MultiFernet(fernets)

    def encrypt(self, value: str | None) -> str | None:
        if value is None or value.startswith(PREFIX):
            return value
        return PREFIX + self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, value: str | None) -> str | None:
        if value is None or not value.startswith(PREFIX):
            return value
        try:
            return self._fernet.decrypt(value[len(PREFIX) :].encode()).decode()
        except InvalidToken as error:
            raise ConfigError(
                "a stored Slack token cannot be decrypted with MENTORBOT_TOKEN_KEYS: "
                "was a key dropped before re-encrypting?"
            ) from error

    def rotate(self, value: str | None) -> str | None:
        """Re-encrypt with the newest key."""
        if value is None or not value.startswith(PREFIX):
            return self.encrypt(value)
        return PREFIX + self._fernet.rotate(value[len(PREFIX) :].encode()).decode()


def _with_tokens(entity: Any, change: Callable[[str | None], str | None]) -> Any:
    changed = copy.copy(entity)
    for name in TOKEN_COLUMNS:
        if hasattr(changed, name):
            setattr(changed, name, change(getattr(changed, name)))
    return changed


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's SQLAlchemy store, with every token encrypted before it is written."""

    def __init__(self, *, client_id: str, engine: Engine, cipher: TokenCipher) -> None:
        super().__init__(
            client_id=client_id,
            engine=engine,
            bots_table_name=BOTS_TABLE,
            installations_table_name=INSTALLATIONS_TABLE,
        )
        self.cipher = cipher

    def save(self, installation: Installation) -> None:
        super().save(_with_tokens(installation, self.cipher.encrypt))

    def save_bot(self, bot: Bot) -> None:
        super().save_bot(_with_tokens(bot, self.cipher.encrypt))

    def build_installation_entity(self, row: Any) -> Installation:  # type: ignore[override]
        return _with_tokens(super().build_installation_entity(row), self.cipher.decrypt)  # type: ignore[no-any-return]

    def build_bot_entity(self, row: Any) -> Bot:  # type: ignore[override]
        return _with_tokens(super().build_bot_entity(row), self.cipher.decrypt)  # type: ignore[no-any-return]

    def rotate_key(self) -> int:
        """Re-encrypt every stored token with the newest key; returns rows rewritten."""
        rewritten = 0
        with self.engine.begin() as conn:
            for table in (self.installations, self.bots):
                columns = [table.c[name] for name in TOKEN_COLUMNS if name in table.c]
                for row in conn.execute(select(table.c.id, *columns)).mappings():
                    values = {c.name: self.cipher.rotate(row[c.name]) for c in columns}
                    conn.execute(update(table).where(table.c.id == row["id"]).values(**values))
                    rewritten += 1
        return rewritten

    def delete_workspace(self, *, enterprise_id: str | None, team_id: str) -> None:
        """Every installation and bot token of the workspace, at once."""
        self.delete_all(enterprise_id=enterprise_id, team_id=team_id)


def installation_store(settings: Settings, engine: Engine) -> EncryptedInstallationStore:
    assert settings.slack_client_id and settings.mentorbot_token_keys
    return EncryptedInstallationStore(
        client_id=settings.slack_client_id,
        engine=engine,
        cipher=TokenCipher(settings.mentorbot_token_keys.get_secret_value()),
    )


def oauth_settings(
    settings: Settings,
    store: EncryptedInstallationStore,
    scopes: list[str],
    on_installed: Callable[[Installation], None] | None = None,
) -> OAuthSettings:
    """Bolt's OAuth flow on our database: install at INSTALL_PATH, Slack returns to
    REDIRECT_PATH; rotating tokens are refreshed when they near expiry. `on_installed` runs
    after each successful install, before Slack's success page is shown."""
    assert settings.slack_client_id and settings.slack_client_secret

    def success(args: SuccessArgs) -> BoltResponse:
        if on_installed is not None:
            on_installed(args.installation)
        return args.default.success(args)

    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=scopes,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=store,
        state_store=SQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_EXPIRATION_SECONDS,
            engine=store.engine,
            table_name=OAUTH_STATES_TABLE,
        ),
        token_rotation_expiration_minutes=REFRESH_MINUTES_BEFORE_EXPIRY,
        callback_options=CallbackOptions(
            success=success, failure=lambda args: args.default.failure(args)
        ),
    )
    # Bolt's own authorizer refreshes tokens through a client on Slack's default address;
    # refreshes must go to SLACK_API_URL (GovSlack), like the install's code exchange.
    oauth.authorize = InstallationStoreAuthorize(
        logger=logging.getLogger(__name__),
        installation_store=store,
        client_id=oauth.client_id,
        client_secret=oauth.client_secret,
        token_rotation_expiration_minutes=REFRESH_MINUTES_BEFORE_EXPIRY,
        client=WebClient(base_url=settings.slack_api_url),
    )
    return oauth


def team_clients(settings: Settings, engine: Engine) -> Callable[[str], WebClient | None] | None:
    """Each workspace's Web API client from its installed bot token (None where the app is
    not installed), refreshing a rotating token near expiry; None with one configured token."""
    if not settings.oauth:
        return None
    store = installation_store(settings, engine)
    assert settings.slack_client_id and settings.slack_client_secret
    rotator = TokenRotator(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        client=WebClient(base_url=settings.slack_api_url),
    )

    def client(team_id: str) -> WebClient | None:
        installation = store.find_installation(enterprise_id=None, team_id=team_id)
        if installation is None or installation.bot_token is None:
            return None
        # Refresh through the installation, as Bolt does for requests: saving it rewrites the
        # installation row and the bot row alike. Slack revokes a refresh token once used, so
        # a row left with the old one would fail the next refresh.
        refreshed = rotator.perform_token_rotation(
            installation=installation, minutes_before_expiration=REFRESH_MINUTES_BEFORE_EXPIRY
        )
        if refreshed is not None:
            store.save(refreshed)
            installation = refreshed
        return WebClient(token=installation.bot_token, base_url=settings.slack_api_url)

    return client
