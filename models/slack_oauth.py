"""Slack's OAuth tables (installations, bots, OAuth states), defined by slack_sdk's SQLAlchemy
stores and registered on our metadata so that Alembic creates and checks them like ours.

Tokens in them are stored encrypted (see bot/installations.py)."""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Text

from models.base import Base

INSTALLATIONS_TABLE = SQLAlchemyInstallationStore.default_installations_table_name
BOTS_TABLE = SQLAlchemyInstallationStore.default_bots_table_name
OAUTH_STATES_TABLE = SQLAlchemyOAuthStateStore.default_table_name

installations = SQLAlchemyInstallationStore.build_installations_table(
    Base.metadata, INSTALLATIONS_TABLE
)
bots = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS_TABLE)
oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, OAUTH_STATES_TABLE)

# Encrypted tokens are longer than the 200 characters slack_sdk allows for plain ones
# (rotating tokens especially), so the token columns are TEXT in our schema.
TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
for table in (installations, bots):
    for name in TOKEN_COLUMNS:
        if name in table.c:
            table.c[name].type = Text()
