"""`app_uninstalled` / `tokens_revoked`: tokens deleted at once, unsent messages withdrawn."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from bot.handlers.deps import Deps
from bot.installations import EncryptedInstallationStore
from bot.services.workspace_lifecycle import mark_uninstalled

logger = logging.getLogger(__name__)


def register(app: App, deps: Deps, store: EncryptedInstallationStore | None) -> None:
    def forget_tokens(body: dict[str, Any]) -> None:
        if store is not None:
            store.delete_workspace(
                enterprise_id=body.get("enterprise_id"), team_id=str(body["team_id"])
            )

    @app.event("app_uninstalled")
    def on_uninstalled(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        team_id = str(body["team_id"])
        forget_tokens(body)
        with deps.session_factory.begin() as db_session:
            withdrawn = mark_uninstalled(db_session, team_id=team_id, now=deps.clock())
        logger.info(
            "app uninstalled from %s: tokens deleted, %d messages withdrawn", team_id, withdrawn
        )

    @app.event("tokens_revoked")
    def on_tokens_revoked(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        forget_tokens(body)
        logger.info("tokens revoked in %s: deleted", body.get("team_id"))
