"""HTTP serving: Slack's events endpoint and health checks, on a multi-threaded WSGI server."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _json(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def make_wsgi_app(bolt_app: App | None) -> WsgiApp:
    """Route `/healthz` here and everything else to Bolt (which answers 404 off its path).

    Without a Bolt app (Socket Mode, where Slack's traffic comes over the websocket) only the
    health check is served: no unsigned HTTP path into the listeners.
    """
    slack = SlackRequestHandler(bolt_app, path=EVENTS_PATH) if bolt_app is not None else None

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            return _json(start_response, "200 OK", {"status": "ok"})
        if slack is None:
            return _json(start_response, "404 Not Found", {"error": "not_found"})
        result: Iterable[bytes] = slack(environ, start_response)
        return result

    return wsgi
