"""Concerns: raised privately to the coordinators, who acknowledge them."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.flows.base import transaction
from bot.flows.effects import Effects, Post
from bot.services.concerns import (
    Acknowledgement,
    RaisedConcern,
    acknowledge_concern,
    concern_recipients,
    raise_concern,
)
from bot.views.concerns import acknowledged_text, coordinator_message, receipt

logger = logging.getLogger(__name__)

UNDELIVERED = (
    "Your concern is saved, but Slack would not deliver it to any coordinator just now. "
    "Please tell your HR contact directly as well."
)


def check_someone_reads(deps: Deps, *, team_id: str, user_id: str) -> None:
    """Refuse (NoCoordinatorsError) before the form opens: nobody should write a concern out
    for no reader."""
    with deps.session_factory.begin() as db_session:
        concern_recipients(
            db_session, team_id=team_id, user_id=user_id, configured=deps.settings.coordinator_ids
        )


def raise_one(deps: Deps, *, team_id: str, user_id: str, text: str, once: str) -> RaisedConcern:
    with transaction(deps, once=once, team_id=team_id) as db_session:
        # No coordinator to read it: the error handler says so on the form, text kept.
        return raise_concern(
            db_session,
            team_id=team_id,
            user_id=user_id,
            text=text,
            configured=deps.settings.coordinator_ids,
            now=deps.clock(),
        )


def deliver(client: WebClient, raised: RaisedConcern) -> None:
    """DM each coordinator (one unreachable coordinator does not keep it from the others),
    then give the reporter a receipt, or say it could not be delivered."""
    text, blocks = coordinator_message(raised.details)
    delivered = 0
    for user in raised.recipients:
        try:
            client.chat_postMessage(channel=user, text=text, blocks=blocks)
        except SlackApiError as error:
            logger.warning("concern not delivered to %s: %s", user, error.response.get("error"))
            continue
        delivered += 1
    reporter = raised.details.reporter
    if delivered == 0:
        client.chat_postMessage(channel=reporter, text=UNDELIVERED)
        return
    title, receipt_blocks = receipt(raised.details)
    client.chat_postMessage(channel=reporter, text=title, blocks=receipt_blocks)


def acknowledge(
    deps: Deps, *, team_id: str, concern_id: int, user_id: str
) -> tuple[Acknowledgement, Effects]:
    """Record the acknowledgement; the reporter is told the first time."""
    with deps.session_factory.begin() as db_session:
        done = acknowledge_concern(
            db_session, team_id=team_id, concern_id=concern_id, user_id=user_id, now=deps.clock()
        )
    then = Effects()
    if done.first:
        then.add(Post(done.details.reporter, acknowledged_text(done.details)))
    return done, then
