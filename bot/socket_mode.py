"""Socket Mode serving: Slack's requests over the websocket, counted and logged as HTTP ones are.

make_wsgi_app gives each HTTP request a request id, binds its workspace for the log lines,
counts it by type and outcome and times it to the ack; this handler does the same for each
envelope that arrives over the websocket.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot import log_context
from bot.metrics import Metrics
from bot.web import describe_payload

logger = logging.getLogger(__name__)


class MeteredSocketModeHandler(SocketModeHandler):
    def __init__(self, app: App, app_token: str, *, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(app, app_token, **kwargs)
        self.metrics = metrics

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:
        payload = req.payload if isinstance(req.payload, dict) else {}
        request_type, team_id = describe_payload(payload)
        started = time.perf_counter()
        with log_context.bound(request_id=uuid.uuid4().hex[:16], team_id=team_id):
            try:
                # Bolt returns once the listener has acked (or failed to within 3 s).
                response = run_bolt_app(self.app, req)
            except Exception:
                self.metrics.slack_request(request_type, 500, time.perf_counter() - started)
                raise
            seconds = time.perf_counter() - started
            self.metrics.slack_request(request_type, response.status, seconds)
            logger.info("slack %s: %s in %.0f ms", request_type, response.status, seconds * 1000)
            send_response(client, req, response, started)
