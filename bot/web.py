"""HTTP serving: Slack's events endpoint, health, readiness and metrics, on a multi-threaded
WSGI server."""

from __future__ import annotations

import io
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

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


def describe_request(body: bytes, content_type: str) -> tuple[str, str | None]:
    """The kind of a Slack request (command, action, view_submission, event, other) and the
    workspace it comes from, read from its body. Nothing here is trusted: Bolt checks the
    signature afterwards, and anything unreadable is just `other`."""
    try:
        if content_type.startswith("application/json"):
            data = json.loads(body)
            if not isinstance(data, dict):
                return "other", None
            kind = "event" if data.get("type") == "event_callback" else "other"
            return kind, _text(data.get("team_id"))
        form = parse_qs(body.decode(), max_num_fields=100)
        if "command" in form:
            return "command", _text(form.get("team_id", [None])[0])
        if "payload" in form:
            payload = json.loads(form["payload"][0])
            if not isinstance(payload, dict):
                return "other", None
            team = payload.get("team")
            team_id = team.get("id") if isinstance(team, dict) else payload.get("team_id")
            return _PAYLOAD_TYPES.get(str(payload.get("type")), "other"), _text(team_id)
    except (ValueError, UnicodeDecodeError):
        pass
    return "other", None


def _text(value: Any) -> str | None:
    # Team ids are short; anything else in that place is not worth a log field.
    return value if isinstance(value, str) and 0 < len(value) <= 32 else None


def _read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    return stream.read(length) if stream is not None and length > 0 else b""


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
    slack = SlackRequestHandler(bolt_app, path=EVENTS_PATH) if bolt_app is not None else None
    metrics = metrics if metrics is not None else Metrics()

    def slack_request(
        handler: SlackRequestHandler, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        started = time.perf_counter()
        body = _read_body(environ)
        environ["wsgi.input"] = io.BytesIO(body)  # Bolt reads it again
        request_type, team_id = describe_request(body, environ.get("CONTENT_TYPE") or "")
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

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if method == "GET" and path == HEALTH_PATH:
            return _json(start_response, "200 OK", {"status": "ok"})
        if method == "GET" and path == READY_PATH and readiness is not None:
            state = readiness()
            status = "200 OK" if state.ready else "503 Service Unavailable"
            return _json(start_response, status, state.as_json())
        if method == "GET" and path == METRICS_PATH:
            body = metrics.exposition()
            start_response(
                "200 OK",
                [("Content-Type", METRICS_CONTENT_TYPE), ("Content-Length", str(len(body)))],
            )
            return [body]
        if slack is None:
            return _json(start_response, "404 Not Found", {"error": "not_found"})
        if method == "POST" and path == EVENTS_PATH:
            return slack_request(slack, environ, start_response)
        result: Iterable[bytes] = slack(environ, start_response)
        return result

    return wsgi
