"""Reading what Slack sends: the workspace and person of a request, the ids buttons carry."""

from __future__ import annotations

from typing import Any

from bot.services.errors import DomainError


def team_id_of(body: dict[str, object]) -> str:
    """The workspace a request comes from, for slash commands and interactive payloads alike."""
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return str(user["team_id"])
    return str(body["team_id"])


def user_id_of(body: dict[str, object]) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user["id"])
    return str(body["user_id"])


class OutOfDateError(DomainError):
    """A button, menu or form carries something no current message of ours would."""

    def __init__(self) -> None:
        super().__init__(
            "That button or form is out of date, so nothing was changed. "
            "Type `/mentoring help` to see what you can do now."
        )


def record_id(value: object) -> int:
    """The id a button's value carries (as our messages write it); OutOfDateError otherwise.

    Read before ack(), so a refusal is the answer to the click itself.
    """
    text = value if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise OutOfDateError
    return int(text)


def selected_value(action: dict[str, Any]) -> str:
    """The value of the option chosen in a menu, or "" when the action carries none."""
    option = action.get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    return value if isinstance(value, str) else ""
