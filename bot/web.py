"""HTTP serving: Slack's events endpoint, health, readiness and metrics, on a multi-threaded
WSGI server.

What reaches Bolt here is a body of a sane size, of one of the two content types Slack sends,
that parses into a JSON object. Anything else is refused with a 4xx and a one-line JSON error,
before Bolt sees it: Bolt's own parsing assumes Slack's shapes and would fail with a 500.
These refusals come before the signature check (Bolt's), as they read nothing but the body's
shape and change nothing; a well-formed body without a valid signature is still a 401.
"""

from __future__ import annotations

import binascii
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.context import BoltContext
from slack_bolt.request.internals import build_context

from bot import log_context
from bot.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from bot.metrics import Metrics
from bot.readiness import Readiness

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
REQUEST_ID_HEADER = "X-Request-Id"
# Slack's largest requests are view submissions; ours stay far below this.
MAX_BODY_BYTES = 2 * 1024 * 1024
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
ReadinessCallable = Callable[[], Readiness]

# Interactivity payload types, as counted in the requests metric.
_PAYLOAD_TYPES = {
    "block_actions": "action",
    "interactive_message": "action",
    "shortcut": "action",
    "message_action": "action",
    "view_submission": "view_submission",
}


def _json(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def describe_request(parsed: dict[str, Any], content_type: str) -> tuple[str, str | None]:
    """The kind of a Slack request (command, action, view_submission, event, other) and the
    workspace it comes from, read from its parsed body (`parse_slack_body`). Nothing here is
    trusted: Bolt checks the signature afterwards, and anything unreadable is just `other`."""
    if content_type.split(";")[0].strip().lower() == JSON:
        kind = "event" if parsed.get("type") == "event_callback" else "other"
        return kind, _text(parsed.get("team_id"))
    return describe_payload(parsed)


def describe_payload(data: dict[str, Any]) -> tuple[str, str | None]:
    """`describe_request` for a body already parsed: an interactivity payload, or any request
    as Socket Mode hands it over (a command's fields, an event callback, a payload)."""
    if "command" in data:
        return "command", _text(data.get("team_id"))
    if data.get("type") == "event_callback":
        return "event", _text(data.get("team_id"))
    team = data.get("team")
    team_id = team.get("id") if isinstance(team, dict) else data.get("team_id")
    return _PAYLOAD_TYPES.get(str(data.get("type")), "other"), _text(team_id)


def _text(value: Any) -> str | None:
    # Team ids are short; anything else in that place is not worth a log field.
    return value if isinstance(value, str) and 0 < len(value) <= 32 else None


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
            fields = form_fields(text)
            parsed = json.loads(fields["payload"]) if "payload" in fields else fields
    except (UnicodeDecodeError, ValueError):
        return None
    return parsed if isinstance(parsed, dict) else None


def form_fields(text: str) -> dict[str, str]:
    """The fields of a URL-encoded form, as `dict(parse_qsl(text, keep_blank_values=True))`.

    An interaction's `payload` is its whole view or message as URL-encoded JSON, tens of
    kilobytes, and the standard library decodes its escapes one at a time in Python. Once
    `+` is a space, a percent escape is a quoted-printable one with `=` for `%`, which
    binascii decodes in C. A value that could read otherwise goes to the standard decoder:
    one with a character Slack would have escaped, or with a stray `%` (which
    quoted-printable keeps, or drops, but never reads as three characters made one byte).
    """
    fields: dict[str, str] = {}
    for pair in text.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        value = value.replace("+", " ")
        fields[unquote(name.replace("+", " "))] = _decoded(value)
    return fields


def _decoded(value: str) -> str:
    if "%" not in value:
        return value
    if value.isascii() and not any(c in value for c in ("=", "\n", "\r")):
        raw = binascii.a2b_qp(value.replace("%", "=").encode())
        # Every escape three characters made one byte: no `%` was read any other way.
        if len(raw) == len(value) - 2 * value.count("%"):
            return raw.decode(errors="replace")
    return unquote(value)


class _SlackHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, given the body parsed by `parse_slack_body`."""

    def __init__(self, app: App, path: str) -> None:
        super().__init__(app, path=path)

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        parsed: dict[str, Any] = request.environ["mentorbot.parsed_body"]
        # Built empty, then given the body already read and parsed (once, in _refusal):
        # parsing a large URL-encoded payload again costs more than Bolt's whole dispatch.
        bolt_request = BoltRequest(
            body="", query=request.query_string, headers=request.get_headers()
        )
        bolt_request.raw_body = request.environ["mentorbot.raw_body"]  # what the signature signs
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
        environ["mentorbot.raw_body"], environ["mentorbot.parsed_body"] = "", {}
        return None  # nothing to read: Bolt checks the signature (401) or finds nothing to do
    content_type = str(environ.get("CONTENT_TYPE") or "")
    if content_type.split(";")[0].strip().lower() not in (FORM, JSON):
        return "415 Unsupported Media Type", {"error": "unsupported_content_type"}
    raw = environ["wsgi.input"].read(length) if length else b""
    parsed = parse_slack_body(raw, content_type)
    if parsed is None:
        return "400 Bad Request", {"error": "malformed_body"}
    environ["mentorbot.raw_body"], environ["mentorbot.parsed_body"] = raw.decode(), parsed
    return None


def _slack_request(
    handler: SlackRequestHandler,
    environ: dict[str, Any],
    start_response: StartResponse,
    metrics: Metrics,
) -> Iterable[bytes]:
    """Bolt's answer, with a request id, the workspace bound for log lines, counted and timed."""
    started = time.perf_counter()
    request_type, team_id = describe_request(
        environ["mentorbot.parsed_body"], environ.get("CONTENT_TYPE") or ""
    )
    request_id = uuid.uuid4().hex[:16]
    answered: list[str] = []

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answered.append(status)
        return start_response(status, [*headers, (REQUEST_ID_HEADER, request_id)], exc_info)

    with log_context.bound(request_id=request_id, team_id=team_id):
        try:
            result: Iterable[bytes] = handler(environ, start)
        except Exception:
            metrics.slack_request(request_type, 500, time.perf_counter() - started)
            raise
        seconds = time.perf_counter() - started
        status = answered[-1] if answered else "500"
        metrics.slack_request(request_type, status, seconds)
        logger.info("slack %s: %s in %.0f ms", request_type, status, seconds * 1000)
    return result


def _operator_page(
    path: str,
    start_response: StartResponse,
    *,
    readiness: ReadinessCallable | None,
    metrics: Metrics,
) -> Iterable[bytes] | None:
    """Health, readiness (when there is a check) and metrics; None for a path not served."""
    if path == HEALTH_PATH:
        return _json(start_response, "200 OK", {"status": "ok"})
    if path == READY_PATH and readiness is not None:
        state = readiness()
        status = "200 OK" if state.ready else "503 Service Unavailable"
        return _json(start_response, status, state.as_json())
    if path == METRICS_PATH:
        body = metrics.exposition()
        start_response(
            "200 OK", [("Content-Type", METRICS_CONTENT_TYPE), ("Content-Length", str(len(body)))]
        )
        return [body]
    return None


def make_wsgi_app(
    bolt_app: App | None,
    *,
    readiness: ReadinessCallable | None = None,
    metrics: Metrics | None = None,
) -> WsgiApp:
    """Serve `/healthz`, `/readyz` (when given a readiness check) and `/metrics` here, Slack's
    requests on `/slack/events` through Bolt, and let Bolt answer 404 to everything else.

    Without a Bolt app (Socket Mode, where Slack's traffic comes over the websocket) only
    health, readiness and metrics are served: no unsigned HTTP path into the listeners.

    Each Slack request gets a request id (echoed in the `X-Request-Id` response header) and,
    when its body names one, its workspace's team id, bound for its log lines (bot.log_context);
    it is counted by type and status class, and timed until Bolt's answer (the ack).
    """
    slack = _SlackHandler(bolt_app, path=EVENTS_PATH) if bolt_app is not None else None
    metrics = metrics if metrics is not None else Metrics()

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if method == "GET" and path in (HEALTH_PATH, READY_PATH, METRICS_PATH):
            served = _operator_page(path, start_response, readiness=readiness, metrics=metrics)
            if served is not None:
                return served
        if slack is None:
            return _json(start_response, "404 Not Found", {"error": "not_found"})
        if method == "POST" and path == EVENTS_PATH:
            refused = _refusal(environ)
            if refused is not None:
                return _json(start_response, *refused)
            try:
                return _slack_request(slack, environ, start_response, metrics)
            except Exception as error:
                # Listener failures go to the app's error handler and never get here. What does
                # is Bolt failing to read a signed request whose shape is not Slack's (a view
                # without a type, say): the request's fault, so a 400, not a 500.
                logger.warning("refused a request Bolt could not read: %r", error)
                return _json(start_response, "400 Bad Request", {"error": "malformed_request"})
        result: Iterable[bytes] = slack(environ, start_response)
        return result

    return wsgi
