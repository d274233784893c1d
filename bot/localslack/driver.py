"""Slack's side of the conversation with an app: the requests Slack sends to `/slack/events`,
signed exactly as Slack signs them (commands, button clicks and menu choices, form submissions,
closed modals, events), each with a trigger and a response_url the emulator issued."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx

from bot.localslack.emulator import SlackEmulator
from bot.localslack.state import BOT_USER_ID, ResponseContext

FORM = "application/x-www-form-urlencoded"


def slack_signature(signing_secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 request signature (see Slack's request-verification docs)."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


class SlackDriver:
    """Plays Slack's part towards the app: commands, button clicks, form submissions, events."""

    def __init__(
        self,
        bot_url: str,
        signing_secret: str,
        slack: SlackEmulator,
        team_id: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.bot_url = bot_url.rstrip("/")
        self.signing_secret = signing_secret
        self.slack = slack
        self.team_id = team_id or slack.team_id  # the workspace this driver's people are in
        self.http = httpx.Client(timeout=timeout)
        self._ids = itertools.count(1)

    def close(self) -> None:
        self.http.close()

    # -- raw --------------------------------------------------------------------------------------
    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sent_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or slack_signature(self.signing_secret, ts, body),
            **(headers or {}),
        }
        return self.http.post(f"{self.bot_url}/slack/events", content=body, headers=sent_headers)

    def _trigger_id(self, user_id: str | None = None) -> str:
        return self.slack.issue_trigger(user_id)

    def _user(self, user_id: str) -> dict[str, Any]:
        return {
            "id": user_id,
            "username": user_id.lower(),
            "name": user_id.lower(),
            "team_id": self.team_id,
        }

    def _team(self) -> dict[str, Any]:
        return {"id": self.team_id, "domain": "acme"}

    def _interaction(self, kind: str, user_id: str, **fields: Any) -> dict[str, Any]:
        return {
            "type": kind,
            "team": self._team(),
            "user": self._user(user_id),
            "api_app_id": "A0MENTOR",
            "token": "legacy-verification-token",
            "is_enterprise_install": False,
            **fields,
        }

    def command_body(self, user_id: str, text: str, channel_id: str = "C0GENERAL") -> bytes:
        response_url = self.slack.issue_response_url(ResponseContext(user_id, channel_id))
        return urlencode(
            {
                "token": "legacy-verification-token",
                "team_id": self.team_id,
                "team_domain": "acme",
                "channel_id": channel_id,
                "channel_name": "general",
                "user_id": user_id,
                "user_name": user_id.lower(),
                "command": "/mentoring",
                "text": text,
                "api_app_id": "A0MENTOR",
                "is_enterprise_install": "false",
                "response_url": response_url,
                "trigger_id": self._trigger_id(user_id),
            }
        ).encode()

    # -- what people do ---------------------------------------------------------------------------
    def command(self, user_id: str, text: str, **kwargs: Any) -> httpx.Response:
        """`/mentoring <text>` typed by `user_id`."""
        return self.post(self.command_body(user_id, text, **kwargs), FORM)

    def interactive(self, payload: dict[str, Any], **kwargs: Any) -> httpx.Response:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, FORM, **kwargs)

    def submit_view(
        self,
        user_id: str,
        view: dict[str, Any],
        inputs: dict[str, Any] | None = None,
        *,
        state_values: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """Submit an open modal with these `state_values` (view.state.values as Slack sends
        them), or with `inputs` typed in, where a subclass knows how to type them."""
        values = state_values if state_values is not None else self.fill_state(view, inputs or {})
        submitted = {**view, "state": {"values": values}, "team_id": self.team_id}
        return self.interactive(
            self._interaction(
                "view_submission",
                user_id,
                trigger_id=self._trigger_id(user_id),
                view=submitted,
                response_urls=[],
            )
        )

    def fill_state(self, view: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        """view.state.values for these inputs: the browser sends its own, so none here."""
        if inputs:
            raise NotImplementedError("this driver submits state values, not inputs")
        return {}

    def button_in_view(
        self, user_id: str, view: dict[str, Any], action_id: str, **action: Any
    ) -> httpx.Response:
        """Click a button (or choose from a menu, with `action`) in an open modal."""
        return self.act_in_view(
            user_id,
            view,
            {
                "action_id": action_id,
                "block_id": "b",
                "action_ts": f"{time.time():.6f}",
                "type": "button",
                **action,
            },
        )

    def act_in_view(
        self,
        user_id: str,
        view: dict[str, Any],
        action: dict[str, Any],
        state_values: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """An element of an open modal acted on (a click, a choice that dispatches), with what
        the form holds at that moment."""
        shown = {**view, "state": {"values": state_values}} if state_values is not None else view
        return self._block_actions(
            user_id, action, container={"type": "view", "view_id": view["id"]}, view=shown
        )

    def close_view(self, user_id: str, view: dict[str, Any]) -> httpx.Response:
        """The person closes a modal (its callback asked to be told: notify_on_close)."""
        self.slack.close_view(view["id"])
        return self.interactive(
            self._interaction("view_closed", user_id, view=view, is_cleared=False)
        )

    def act_in_message(
        self, user_id: str, action: dict[str, Any], *, message: dict[str, Any], channel_id: str
    ) -> httpx.Response:
        """An element of a message acted on (a button, a menu), with a response_url for
        answering in that conversation."""
        response_url = self.slack.issue_response_url(
            ResponseContext(user_id, channel_id, message.get("ts"))
        )
        return self._block_actions(
            user_id,
            action,
            container={
                "type": "message",
                "message_ts": message.get("ts", ""),
                "channel_id": channel_id,
                "is_ephemeral": False,
            },
            message=message,
            channel={"id": channel_id},
            response_url=response_url,
        )

    def act_in_home(self, user_id: str, action: dict[str, Any]) -> httpx.Response:
        """An element of the person's App Home acted on: Slack sends the view it is in."""
        home = f"VHOME{user_id}"
        return self._block_actions(
            user_id,
            action,
            container={"type": "view", "view_id": home},
            view={**self.slack.views.get(home, {}), "id": home, "type": "home"},
        )

    def _block_actions(self, user_id: str, action: dict[str, Any], **where: Any) -> httpx.Response:
        """A `block_actions` payload for one action, with where it happened (container…)."""
        return self.interactive(
            self._interaction(
                "block_actions",
                user_id,
                trigger_id=self._trigger_id(user_id),
                actions=[action],
                **where,
            )
        )

    def block_action(
        self,
        user_id: str,
        action_id: str,
        *,
        value: str | None = None,
        block_id: str = "actions",
        container: dict[str, Any] | None = None,
        channel_id: str | None = None,
        message: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """Click a button (in a message when `message` is given, else in the App Home)."""
        action: dict[str, Any] = {
            "type": "button",
            "action_id": action_id,
            "block_id": block_id,
            "text": {"type": "plain_text", "text": action_id},
            "action_ts": f"{time.time():.6f}",
        }
        if value is not None:
            action["value"] = value
        if message is not None:
            channel = channel_id or message.get("channel", "")
            if container is None:
                return self.act_in_message(user_id, action, message=message, channel_id=channel)
        payload = self._interaction(
            "block_actions",
            user_id,
            trigger_id=self._trigger_id(user_id),
            actions=[action],
        )
        home = f"VHOME{user_id}"
        payload["container"] = container or {"type": "view", "view_id": home}
        if message is not None:
            channel = channel_id or message.get("channel", "")
            payload["message"] = message
            payload["channel"] = {"id": channel}
            payload["response_url"] = self.slack.issue_response_url(
                ResponseContext(user_id, channel, message.get("ts"))
            )
        else:  # the App Home tab: Slack sends the view the button is in
            payload["view"] = {"id": payload["container"].get("view_id", home), "type": "home"}
        return self.interactive(payload)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
    ) -> httpx.Response:
        """Deliver an Events API event; `retry_num` marks a redelivery as Slack does."""
        body = {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "api_app_id": "A0MENTOR",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(json.dumps(body).encode(), "application/json", headers=headers)
