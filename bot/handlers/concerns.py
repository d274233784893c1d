"""`/mentoring concern`: tell the coordinators something privately; they acknowledge it."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.handlers.commands import COMMAND, CommandCall, CommandRouter
from bot.handlers.coordinators import require_coordinator
from bot.handlers.deps import Deps, record_id, team_id_of, user_id_of
from bot.services.concerns import (
    acknowledge_concern,
    concern_recipients,
    raise_concern,
    validate_concern_text,
)
from bot.services.idempotency import claim_once
from bot.views.concerns import (
    acknowledged_text,
    concern_modal,
    coordinator_message,
    parse_concern_text,
    receipt,
)
from bot.views.ids import ActionId, CallbackId, ConcernBlock
from bot.views.messages import HelpEntry
from bot.views.state import state_values

logger = logging.getLogger(__name__)

UNDELIVERED = (
    "Your concern is saved, but Slack would not deliver it to any coordinator just now. "
    "Please tell your HR contact directly as well."
)


def _concern(call: CommandCall, deps: Deps) -> None:
    with deps.session_factory.begin() as db_session:
        # Refused before the form opens: nobody should write this out for no reader.
        concern_recipients(
            db_session,
            team_id=call.team_id,
            user_id=call.user_id,
            configured=deps.settings.coordinator_ids,
        )
    call.ack()
    call.client.views_open(trigger_id=call.trigger_id, view=concern_modal())


def _tell_coordinators(client: WebClient, recipients: list[str], message: Any) -> int:
    """DM each coordinator; one unreachable coordinator does not keep it from the others."""
    text, blocks = message
    delivered = 0
    for user in recipients:
        try:
            client.chat_postMessage(channel=user, text=text, blocks=blocks)
        except SlackApiError as error:
            logger.warning("concern not delivered to %s: %s", user, error.response.get("error"))
            continue
        delivered += 1
    return delivered


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add(
        "concern",
        lambda call: _concern(call, deps),
        HelpEntry(
            f"{COMMAND} concern",
            "tell the program coordinators something privately; your partner is never told",
        ),
    )

    @app.view(CallbackId.CONCERN)
    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = team_id_of(body), user_id_of(body)
        text = parse_concern_text(state_values(view))
        problem = validate_concern_text(text)
        if problem:
            ack(response_action="errors", errors={ConcernBlock.TEXT: problem})
            return
        with deps.session_factory.begin() as db_session:
            if not claim_once(
                db_session, key=f"view:{view['id']}", team_id=team_id, now=deps.clock()
            ):
                ack()  # the same form submitted twice: it was sent the first time
                return
            # No coordinator to read it: the error handler says so on the form, text kept.
            raised = raise_concern(
                db_session,
                team_id=team_id,
                user_id=user_id,
                text=text,
                configured=deps.settings.coordinator_ids,
                now=deps.clock(),
            )
        ack()
        delivered = _tell_coordinators(
            client, raised.recipients, coordinator_message(raised.details)
        )
        if delivered == 0:
            client.chat_postMessage(channel=user_id, text=UNDELIVERED)
            return
        title, blocks = receipt(raised.details)
        client.chat_postMessage(channel=user_id, text=title, blocks=blocks)

    @app.action(ActionId.ACKNOWLEDGE_CONCERN)
    def on_acknowledge(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        team_id, user_id = team_id_of(body), user_id_of(body)
        # The button sits in a coordinator's DM, but a click proves nothing: check again.
        # Checked before ack(), so a refusal is the answer to this very request.
        require_coordinator(deps, client, team_id=team_id, user_id=user_id)
        concern_id = record_id(action.get("value"))
        ack()
        with deps.session_factory.begin() as db_session:
            acknowledgement = acknowledge_concern(
                db_session,
                team_id=team_id,
                concern_id=concern_id,
                user_id=user_id,
                now=deps.clock(),
            )
        text, blocks = coordinator_message(acknowledgement.details)
        client.chat_update(
            channel=body["container"]["channel_id"],
            ts=body["container"]["message_ts"],
            text=text,
            blocks=blocks,
        )
        if acknowledgement.first:
            client.chat_postMessage(
                channel=acknowledgement.details.reporter,
                text=acknowledged_text(acknowledgement.details),
            )
