"""The one error handler: a domain error becomes a friendly private message, others an apology.

It also answers requests no listener matches (Bolt's "unhandled request", raised to here by
`raise_error_for_unhandled_request`): Bolt's default is a 404, which Slack shows a person as a
connection error and, for events, retries. Instead: a button or form from an old message gets a
polite "out of date" note, another slash command a pointer to `/mentoring`, and an event we do
not listen to a quiet 200 (Slack then stops retrying it).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse, Respond
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import saved_changes
from bot.flows.base import AlreadyDone
from bot.handlers.listen import FormErrors
from bot.handlers.payload import OutOfDateError
from bot.services.errors import DomainError, NamingError
from bot.views.text import escape

logger = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on our side and nothing was changed. Please try again."
# When the request had saved a change before it failed: "nothing was changed" would be untrue.
APOLOGY_PART_DONE = (
    "Sorry, something went wrong on our side part-way through, and part of it may already be "
    "done. Please check before trying again."
)
OUT_OF_DATE = str(OutOfDateError())
# Set on a request's context once its person has been told about an error (see on_error).
TOLD = "mentorbot_error_told"
OTHER_COMMAND = "I only answer `/mentoring`. Type `/mentoring help` to see what I can do."
# Slack honours a trigger_id for 3 seconds, once: a form opened later never appears.
LATE_TRIGGER = ("expired_trigger_id", "exchanged_trigger_id")


def _too_late(body: dict[str, Any]) -> str:
    """What to say when a form could not be opened in time: how to ask for it again."""
    if "command" in body:
        words = str(body.get("text") or "").split()
        command = " ".join([str(body["command"]), *words[:1]])
        return f"That took too long — please run `{command}` again."
    return "That took too long — please click the button again."


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _first_input_block(body: dict[str, Any]) -> str | None:
    blocks = _dict(body.get("view")).get("blocks")
    for block in blocks if isinstance(blocks, list) else []:
        if isinstance(block, dict) and block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return None


def _user_of(body: dict[str, Any]) -> str | None:
    user = body.get("user_id") or _dict(body.get("user")).get("id")
    return user if isinstance(user, str) and user else None


def _unhandled_message(body: dict[str, Any]) -> str | None:
    """What to tell the person about a request nothing listens to; None to say nothing."""
    if "command" in body:
        return OTHER_COMMAND
    if body.get("type") in ("block_actions", "view_submission"):
        return OUT_OF_DATE
    return None  # events, closed modals, shortcuts, option lists: nobody is waiting


def _tell(body: dict[str, Any], message: str, client: WebClient, respond: Respond | None) -> None:
    """Say `message` (mrkdwn, escaped already) privately where the person is looking; never
    fail the error handler."""
    user = _user_of(body)
    try:
        if respond is not None and body.get("response_url"):
            respond(text=message, response_type="ephemeral", replace_original=False)
        elif user:
            client.chat_postMessage(channel=user, text=message)
    except (SlackApiError, OSError) as failure:
        logger.warning("could not tell the user about an error: %r", failure)


def _message_for(error: Exception, body: dict[str, Any]) -> str | None:
    """What to tell the person about this failure (None: nothing, nobody is waiting)."""
    if isinstance(error, BoltUnhandledRequestError):
        logger.info("no listener for a %s request", body.get("type") or "slash command")
        return _unhandled_message(body)
    if isinstance(error, DomainError):
        return str(error)
    if isinstance(error, SlackApiError) and error.response.get("error") in LATE_TRIGGER:
        logger.warning("a form came too late for its trigger: %s", error.response["error"])
        return _too_late(body)
    logger.exception("handler failed: %s", type(error).__name__, exc_info=error)
    return APOLOGY_PART_DONE if saved_changes.saved() else APOLOGY


def register(app: App) -> None:
    @app.error
    def on_error(
        error: Exception,
        body: dict[str, Any],
        response: BoltResponse | None,
        client: WebClient,
        respond: Respond | None,
        context: BoltContext,
    ) -> BoltResponse | None:
        body = _dict(body)
        if isinstance(error, BoltUnhandledRequestError) and context.get(TOLD):
            # Bolt's thread runner forgets the ack() of a listener that failed after acking,
            # waits out its 3 s, then reports the request as unhandled. The person was told.
            return BoltResponse(status=200, body="")
        context[TOLD] = True
        acked = response is None
        kind = body.get("type")
        if isinstance(error, AlreadyDone):  # a form or event handled the first time it came
            return BoltResponse(status=200, body="") if not acked else None
        if isinstance(error, FormErrors) and not acked and kind == "view_submission":
            payload = {"response_action": "errors", "errors": error.errors}
            return BoltResponse(status=200, body=json.dumps(payload))
        message = _message_for(error, body)
        if message is None:
            return BoltResponse(status=200, body="") if not acked else None
        if not acked and kind == "view_submission" and (block := _first_input_block(body)):
            # Keep the form open, with the explanation on it.
            payload = {"response_action": "errors", "errors": {block: message}}
            return BoltResponse(status=200, body=json.dumps(payload))
        # Escaped, as it may quote what someone typed; a NamingError's mentions are the app's.
        shown = message if isinstance(error, NamingError) else escape(message)
        if not acked and "command" in body:
            payload = {"response_type": "ephemeral", "text": shown}
            return BoltResponse(status=200, body=json.dumps(payload))
        _tell(body, shown, client, respond)
        return BoltResponse(status=200, body="") if not acked else None
