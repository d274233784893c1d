"""`app_uninstalled` / `tokens_revoked`: tokens deleted at once, unsent messages withdrawn."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.deps import Deps
from bot.flows.lifecycle import uninstalled
from bot.handlers.listen import On, event
from bot.installations import EncryptedInstallationStore

logger = logging.getLogger(__name__)


def listeners(store: EncryptedInstallationStore | None) -> tuple[On, ...]:
    """The listeners, with the installation store tokens are deleted from (None: one
    workspace, with a token from the environment)."""

    def forget_tokens(body: dict[str, Any]) -> None:
        if store is not None:
            store.delete_workspace(
                enterprise_id=body.get("enterprise_id"), team_id=str(body["team_id"])
            )

    def on_uninstalled(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        team_id = str(body["team_id"])
        forget_tokens(body)
        withdrawn = uninstalled(Deps.of(context), team_id=team_id)
        logger.info(
            "app uninstalled from %s: tokens deleted, %d messages withdrawn", team_id, withdrawn
        )

    def on_tokens_revoked(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        forget_tokens(body)
        logger.info("tokens revoked in %s: deleted", body.get("team_id"))

    handlers: tuple[tuple[str, Callable[..., None]], ...] = (
        ("app_uninstalled", on_uninstalled),
        ("tokens_revoked", on_tokens_revoked),
    )
    return tuple(event(name, handler) for name, handler in handlers)
