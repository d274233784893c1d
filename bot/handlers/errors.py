"""The one error handler: a domain error becomes a friendly private message, others an apology."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse, Respond
from slack_sdk import WebClient

from bot.services.errors import DomainError
from bot.views.text import escape

logger = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on our side and nothing was changed. Please try again."


def _first_input_block(body: dict[str, Any]) -> str | None:
    blocks = body.get("view", {}).get("blocks", [])
    return next((b["block_id"] for b in blocks if b.get("type") == "input"), None)


class KeptAck(Ack):
    """An ack that, once given, stays given.

    When a listener fails after calling ack(), Bolt's thread runner (process_before_response
    off, as here) sets `ack.response` back to None once the error handler has run. The request
    thread looks at that attribute every 10 ms to answer Slack; if the failure came within those
    10 ms it never sees the ack, waits out Slack's 3 seconds and answers 404 "unhandled request",
    which Slack shows the person as an error on top of our own explanation.
    """

    def __init__(self) -> None:
        self._given: BoltResponse | None = None
        super().__init__()  # type: ignore[no-untyped-call]

    @property
    def response(self) -> BoltResponse | None:
        return self._given

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is not None or self._given is None:
            self._given = value


def register(app: App) -> None:
    @app.middleware
    def keep_acks(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
        context["ack"] = KeptAck()
        return next()

    @app.error
    def on_error(
        error: Exception,
        body: dict[str, Any],
        response: BoltResponse | None,
        client: WebClient,
        respond: Respond | None,
    ) -> BoltResponse | None:
        if isinstance(error, DomainError):
            message = str(error)
        else:
            logger.exception("handler failed: %s", type(error).__name__, exc_info=error)
            message = APOLOGY
        acked = response is None
        kind = body.get("type")
        if not acked and kind == "view_submission" and (block := _first_input_block(body)):
            # Keep the form open, with the explanation on it.
            payload = {"response_action": "errors", "errors": {block: message}}
            return BoltResponse(status=200, body=json.dumps(payload))
        if not acked and "command" in body:
            payload = {"response_type": "ephemeral", "text": escape(message)}
            return BoltResponse(status=200, body=json.dumps(payload))
        user = body.get("user_id") or body.get("user", {}).get("id")
        if respond is not None and body.get("response_url"):
            respond(text=escape(message), response_type="ephemeral", replace_original=False)
        elif user:
            client.chat_postMessage(channel=user, text=escape(message))
        return BoltResponse(status=200, body="") if not acked else None
