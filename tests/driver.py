"""The test suite's Slack driver: bot.localslack's, plus forms filled in as a person would."""

from __future__ import annotations

import time
from typing import Any

import httpx

from bot.localslack import driver
from bot.localslack.driver import slack_signature


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


class SlackDriver(driver.SlackDriver):
    """Plays Slack's part towards the bot: commands, button clicks, form submissions, events."""

    def fill_state(self, view: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        """Type `inputs` into the view's inputs as a person would (a test may instead submit
        raw `state_values`, to play a client that sends what no real form would)."""
        return fill_state(view, inputs)

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
        return self.act_in_view(user_id, view, action, state_values=values)


__all__ = ["SlackDriver", "element_state", "fill_state", "initial_value", "slack_signature"]
