"""Reading a submitted modal's `view.state.values` defensively.

Slack sends `{block_id: {action_id: {"type": ..., <the element's value>}}}`. Before a form's
parser reads it, anything not of that shape is dropped: a block or element that is not an
object, a value of the wrong type (a number where text belongs, a string where an option
belongs). What is left reads as a form with those fields empty, which the form's own
validation then refuses inline, field by field.
"""

from __future__ import annotations

from typing import Any

State = dict[str, dict[str, dict[str, Any]]]

_TEXT_KEYS = ("value", "selected_date", "selected_time", "selected_date_time")
_ID_KEYS = ("selected_user", "selected_conversation", "selected_channel")
_ID_LIST_KEYS = ("selected_users", "selected_conversations", "selected_channels")


def _option(value: object) -> dict[str, Any] | None:
    if isinstance(value, dict) and isinstance(value.get("value"), str):
        return value
    return None


def _element(raw: dict[str, Any]) -> dict[str, Any]:
    element: dict[str, Any] = {}
    if isinstance(raw.get("type"), str):
        element["type"] = raw["type"]
    for key in _TEXT_KEYS + _ID_KEYS:
        if isinstance(raw.get(key), str):
            element[key] = raw[key]
    for key in _ID_LIST_KEYS:
        if isinstance(raw.get(key), list):
            element[key] = [v for v in raw[key] if isinstance(v, str)]
    if (option := _option(raw.get("selected_option"))) is not None:
        element["selected_option"] = option
    if isinstance(raw.get("selected_options"), list):
        element["selected_options"] = [o for o in raw["selected_options"] if _option(o)]
    return element


def state_values(view: dict[str, Any]) -> State:
    """The view's submitted values, keeping only what has the shape Slack gives it."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    if not isinstance(values, dict):
        return {}
    clean: State = {}
    for block_id, actions in values.items():
        if not isinstance(actions, dict):
            continue
        clean[block_id] = {
            action_id: _element(raw) for action_id, raw in actions.items() if isinstance(raw, dict)
        }
    return clean


def as_int(value: object) -> int | None:
    """An ASCII whole number (`"3"`, `"-2"`), else None; never raises."""
    text = value.strip() if isinstance(value, str) else ""
    digits = text.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 9:
        return None
    return int(text)
