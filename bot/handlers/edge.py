"""What Slack always sends, checked before anything else runs: a request without it is dropped.

A correctly signed request can still lack what every real request of its kind carries (the
person, the workspace, the modal's id, the trigger). Let through, it would turn into a Web API
call with an argument missing (`views.publish` without `user_id`, `users.info` without
`user`). It is answered 200 instead, so Slack does not retry it, with one log line naming the
kind and the missing fields (never their values), and nothing else happens. This runs right
after the signature check, before the workspace is looked up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse

logger = logging.getLogger(__name__)

Check = Callable[[dict[str, Any]], bool]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _at(*path: str) -> Check:
    def present(body: dict[str, Any]) -> bool:
        value: Any = body
        for key in path:
            value = _dict(value).get(key)
        return _text(value)

    return present


def _team(body: dict[str, Any]) -> bool:
    # Org-wide installs send no team for some payloads, and the person's team instead.
    return _text(_dict(body.get("team")).get("id")) or _text(_dict(body.get("user")).get("team_id"))


def _actions(body: dict[str, Any]) -> bool:
    actions = body.get("actions")
    return (
        isinstance(actions, list)
        and bool(actions)
        and all(_text(_dict(a).get("action_id")) for a in actions)
    )


def _view_if_in_one(body: dict[str, Any]) -> bool:
    in_view = _dict(body.get("container")).get("type") == "view" or "view" in body
    return not in_view or _at("view", "id")(body)


REQUIRED: dict[str, dict[str, Check]] = {
    "command": {
        "user_id": _at("user_id"),
        "team_id": _at("team_id"),
        "trigger_id": _at("trigger_id"),
    },
    "block_actions": {
        "user.id": _at("user", "id"),
        "team": _team,
        "trigger_id": _at("trigger_id"),
        "actions": _actions,
        "view.id": _view_if_in_one,
    },
    "view_submission": {
        "user.id": _at("user", "id"),
        "team": _team,
        "view.id": _at("view", "id"),
        "trigger_id": _at("trigger_id"),
    },
    "view_closed": {
        "user.id": _at("user", "id"),
        "team": _team,
        "view.id": _at("view", "id"),
    },
    "event_callback": {
        "team_id": _at("team_id"),
        "event.type": _at("event", "type"),
    },
}
# Fields of the events the app listens to that their listeners rely on.
EVENT_REQUIRED: dict[str, dict[str, Check]] = {
    "app_home_opened": {"event.user": _at("event", "user")},
}


def kind_of(body: dict[str, Any]) -> str | None:
    if "command" in body:
        return "command"
    kind = body.get("type")
    return kind if isinstance(kind, str) else None


def missing_fields(body: dict[str, Any]) -> list[str]:
    """The fields Slack always sends with this kind of request that this one lacks."""
    kind = kind_of(body)
    checks = dict(REQUIRED.get(kind or "", {}))
    if kind == "event_callback":
        checks |= EVENT_REQUIRED.get(str(_dict(body.get("event")).get("type")), {})
    return [name for name, present in checks.items() if not present(body)]


def drop_incomplete(req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> Any:
    """Bolt's `before_authorize` middleware."""
    body = req.body if isinstance(req.body, dict) else {}
    missing = missing_fields(body)
    if not missing:
        return next()
    logger.warning(
        "dropped a %s request without %s", kind_of(body) or "typeless", ", ".join(missing)
    )
    return BoltResponse(status=200, body="")
