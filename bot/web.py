"""HTTP serving: Slack's events endpoint and health checks, on a multi-threaded WSGI server.

What reaches Bolt here is a body of a sane size, of one of the two content types Slack sends,
that parses into a JSON object. Anything else is refused with a 4xx and a one-line JSON error,
before Bolt sees it: Bolt's own parsing assumes Slack's shapes and would fail with a 500.
These refusals come before the signature check (Bolt's), as they read nothing but the body's
shape and change nothing; a well-formed body without a valid signature is still a 401.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.context import BoltContext
from slack_bolt.request.internals import build_context

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's largest requests are view submissions; ours stay far below this.
MAX_BODY_BYTES = 2 * 1024 * 1024
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _json(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def parse_slack_body(raw: bytes, content_type: str) -> dict[str, Any] | None:
    """The request body as Slack means it, or None when it is not one Slack would send.

    Slash commands are form fields; interactivity is a form field `payload` holding JSON;
    events are JSON. (Bolt's own parser takes any form body that merely mentions the word
    "payload", such as `/mentoring stats payload team`, for an empty request.)
    """
    media_type = content_type.split(";")[0].strip().lower()
    try:
        text = raw.decode("utf-8")
        if media_type == JSON:
            parsed = json.loads(text)
        else:
            fields = dict(parse_qsl(text, keep_blank_values=True))
            parsed = json.loads(fields["payload"]) if "payload" in fields else fields
    except (UnicodeDecodeError, ValueError):
        return None
    return parsed if isinstance(parsed, dict) else None


class _SlackHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, given the body parsed by `parse_slack_body`."""

    def __init__(self, app: App, path: str) -> None:
        super().__init__(app, path=path)

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        parsed: dict[str, Any] = request.environ["mentorbot.parsed_body"]
        bolt_request = BoltRequest(
            body=request.get_body(), query=request.query_string, headers=request.get_headers()
        )
        bolt_request.body = parsed
        bolt_request.context = build_context(BoltContext({}), parsed)
        return self.app.dispatch(bolt_request)


def _refusal(environ: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """Why a POST to the events path is refused before Bolt sees it, or None."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return "400 Bad Request", {"error": "bad_content_length"}
    if length > MAX_BODY_BYTES:
        return "413 Payload Too Large", {"error": "too_large", "limit": MAX_BODY_BYTES}
    if length == 0:
        environ["mentorbot.parsed_body"] = {}
        return None  # nothing to read: Bolt checks the signature (401) or finds nothing to do
    content_type = str(environ.get("CONTENT_TYPE") or "")
    if content_type.split(";")[0].strip().lower() not in (FORM, JSON):
        return "415 Unsupported Media Type", {"error": "unsupported_content_type"}
    raw = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(raw)  # for Bolt, which reads it again
    parsed = parse_slack_body(raw, content_type)
    if parsed is None:
        return "400 Bad Request", {"error": "malformed_body"}
    environ["mentorbot.parsed_body"] = parsed
    return None


def make_wsgi_app(bolt_app: App | None) -> WsgiApp:
    """Route `/healthz` here and everything else to Bolt (which answers 404 off its path).

    Without a Bolt app (Socket Mode, where Slack's traffic comes over the websocket) only the
    health check is served: no unsigned HTTP path into the listeners.
    """
    slack = _SlackHandler(bolt_app, path=EVENTS_PATH) if bolt_app is not None else None

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == HEALTH_PATH and method == "GET":
            return _json(start_response, "200 OK", {"status": "ok"})
        if slack is None:
            return _json(start_response, "404 Not Found", {"error": "not_found"})
        if path == EVENTS_PATH and method == "POST":
            refused = _refusal(environ)
            if refused is not None:
                return _json(start_response, *refused)
            try:
                result: Iterable[bytes] = slack(environ, start_response)
            except Exception as error:
                # Listener failures go to the app's error handler and never get here. What does
                # is Bolt failing to read a signed request whose shape is not Slack's (a view
                # without a type, say): the request's fault, so a 400, not a 500.
                logger.warning("refused a request Bolt could not read: %r", error)
                return _json(start_response, "400 Bad Request", {"error": "malformed_request"})
            return result
        result = slack(environ, start_response)
        return result

    return wsgi
