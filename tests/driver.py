"""Sends Slack's requests to the bot over HTTP, signed exactly as Slack signs them."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.fakeslack import FakeSlack, new_trigger_id


def slack_signature(signing_secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 request signature (see Slack's request-verification docs)."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def _options_of(element: dict[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options", [])
    return options


def _pick(element: dict[str, Any], value: str) -> dict[str, Any]:
    for option in _options_of(element):
        if option["value"] == value:
            return {"text": option["text"], "value": option["value"]}
    raise AssertionError(f"{value!r} is not an option of {element.get('action_id')}")


def element_state(element: dict[str, Any], value: Any) -> dict[str, Any]:
    """What Slack puts in view.state for an element holding `value` (as a person would set it)."""
    kind = element["type"]
    state: dict[str, Any] = {"type": kind}
    if kind in ("plain_text_input", "number_input"):
        state["value"] = value
    elif kind in ("static_select", "radio_buttons"):
        state["selected_option"] = _pick(element, value) if value is not None else None
    elif kind in ("multi_static_select", "checkboxes"):
        state["selected_options"] = [_pick(element, v) for v in value or []]
    elif kind == "multi_users_select":
        state["selected_users"] = list(value or [])
    elif kind == "users_select":
        state["selected_user"] = value
    elif kind == "conversations_select":
        state["selected_conversation"] = value
    elif kind == "channels_select":
        state["selected_channel"] = value
    elif kind == "datepicker":
        state["selected_date"] = value
    elif kind == "timepicker":
        state["selected_time"] = value
    else:
        raise AssertionError(f"driver cannot fill a {kind}")
    return state


def initial_value(element: dict[str, Any]) -> Any:
    kind = element["type"]
    if kind in ("plain_text_input", "number_input"):
        return element.get("initial_value")
    if kind in ("static_select", "radio_buttons"):
        return (element.get("initial_option") or {}).get("value")
    if kind in ("multi_static_select", "checkboxes"):
        return [o["value"] for o in element.get("initial_options") or []]
    if kind == "multi_users_select":
        return element.get("initial_users") or []
    for key in (
        "initial_user",
        "initial_conversation",
        "initial_channel",
        "initial_date",
        "initial_time",
    ):
        if key in element:
            return element[key]
    return None


def fill_state(view: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    """view.state.values as Slack would send it: initial values, overridden by `inputs`
    (keyed by block_id). Inputs name options by value and must be options the view offers."""
    values: dict[str, Any] = {}
    unknown = set(inputs) - {b.get("block_id") for b in view["blocks"]}
    assert not unknown, f"the view has no blocks {unknown}"
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        value = inputs[block["block_id"]] if block["block_id"] in inputs else initial_value(element)
        values[block["block_id"]] = {element["action_id"]: element_state(element, value)}
    return values


class SlackDriver:
    """Plays Slack's part towards the bot: commands, button clicks, form submissions, events."""

    def __init__(
        self, bot_url: str, signing_secret: str, slack: FakeSlack, team_id: str | None = None
    ) -> None:
        self.bot_url = bot_url.rstrip("/")
        self.signing_secret = signing_secret
        self.slack = slack
        self.team_id = team_id or slack.team_id  # the workspace this driver's people are in
        self.http = httpx.Client(timeout=10)
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

    def _trigger_id(self) -> str:
        return new_trigger_id(next(self._ids))

    def _user(self, user_id: str) -> dict[str, Any]:
        return {
            "id": user_id,
            "username": user_id.lower(),
            "name": user_id.lower(),
            "team_id": self.team_id,
        }

    def _team(self) -> dict[str, Any]:
        return {"id": self.team_id, "domain": "acme"}

    def command_body(self, user_id: str, text: str, channel_id: str = "C0GENERAL") -> bytes:
        key = f"cmd{next(self._ids)}"
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
                "response_url": self.slack.response_url(key),
                "trigger_id": self._trigger_id(),
            }
        ).encode()

    # -- what people do ---------------------------------------------------------------------------
    def command(self, user_id: str, text: str, **kwargs: Any) -> httpx.Response:
        """`/mentoring <text>` typed by `user_id`."""
        return self.post(
            self.command_body(user_id, text, **kwargs), "application/x-www-form-urlencoded"
        )

    def interactive(self, payload: dict[str, Any], **kwargs: Any) -> httpx.Response:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)

    def submit_view(
        self,
        user_id: str,
        view: dict[str, Any],
        inputs: dict[str, Any] | None = None,
        *,
        state_values: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """Submit an open modal with `inputs` typed in (or raw `state_values`, to play a client
        that sends what no real form would)."""
        values = state_values if state_values is not None else fill_state(view, inputs or {})
        submitted = {**view, "state": {"values": values}, "team_id": self.team_id}
        return self.interactive(
            {
                "type": "view_submission",
                "team": self._team(),
                "user": self._user(user_id),
                "api_app_id": "A0MENTOR",
                "token": "legacy-verification-token",
                "trigger_id": self._trigger_id(),
                "view": submitted,
                "response_urls": [],
                "is_enterprise_install": False,
            }
        )

    def button_in_view(
        self, user_id: str, view: dict[str, Any], action_id: str, **action: Any
    ) -> httpx.Response:
        """Click a button (or choose from a menu, with `action`) in an open modal."""
        return self.interactive(
            {
                "type": "block_actions",
                "team": self._team(),
                "user": self._user(user_id),
                "api_app_id": "A0MENTOR",
                "token": "legacy-verification-token",
                "container": {"type": "view", "view_id": view["id"]},
                "trigger_id": self._trigger_id(),
                "view": view,
                "actions": [
                    {
                        "action_id": action_id,
                        "block_id": "b",
                        "action_ts": f"{time.time():.6f}",
                        "type": "button",
                        **action,
                    }
                ],
                "is_enterprise_install": False,
            }
        )

    def close_view(self, user_id: str, view: dict[str, Any]) -> httpx.Response:
        """The person closes a modal (its callback asked to be told: notify_on_close)."""
        self.slack.close_view(view["id"])
        return self.interactive(
            {
                "type": "view_closed",
                "team": self._team(),
                "user": self._user(user_id),
                "api_app_id": "A0MENTOR",
                "token": "legacy-verification-token",
                "view": view,
                "is_cleared": False,
                "is_enterprise_install": False,
            }
        )

    def view_action(
        self,
        user_id: str,
        view: dict[str, Any],
        block_id: str,
        inputs: dict[str, Any],
    ) -> httpx.Response:
        """Change an input in an open modal whose block dispatches actions (dispatch_action)."""
        values = fill_state(view, inputs)
        block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
        element = block["element"]
        action = {
            **values[block_id][element["action_id"]],
            "action_id": element["action_id"],
            "block_id": block_id,
            "action_ts": f"{time.time():.6f}",
        }
        return self.interactive(
            {
                "type": "block_actions",
                "team": self._team(),
                "user": self._user(user_id),
                "api_app_id": "A0MENTOR",
                "token": "legacy-verification-token",
                "container": {"type": "view", "view_id": view["id"]},
                "trigger_id": self._trigger_id(),
                "view": {**view, "state": {"values": values}},
                "actions": [action],
                "is_enterprise_install": False,
            }
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
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": self._team(),
            "user": self._user(user_id),
            "api_app_id": "A0MENTOR",
            "token": "legacy-verification-token",
            "trigger_id": self._trigger_id(),
            "actions": [action],
            "is_enterprise_install": False,
        }
        if message is not None:
            channel = channel_id or message.get("channel", "")
            payload["container"] = container or {
                "type": "message",
                "message_ts": message.get("ts", ""),
                "channel_id": channel,
                "is_ephemeral": False,
            }
            payload["message"] = message
            payload["channel"] = {"id": channel}
            payload["response_url"] = self.slack.response_url(f"act{next(self._ids)}")
        else:  # the App Home tab: Slack sends the view the button is in
            home = f"VHOME{user_id}"
            payload["container"] = container or {"type": "view", "view_id": home}
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
                    "user_id": "UBOTMENTOR",
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
