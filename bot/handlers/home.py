"""The App Home tab: published when opened (and by flows after a person changes something)."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.flows.home import first_opening, refresh_home
from bot.handlers.listen import event


def on_home_opened(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    if event.get("tab") != "home":
        return
    deps = Deps.of(context)
    # A redelivered event (Slack retries) has no second effect.
    if first_opening(deps, team_id=body["team_id"], event_id=body["event_id"]):
        refresh_home(deps, client, team_id=body["team_id"], user_id=event["user"])


LISTENERS = (event("app_home_opened", on_home_opened),)
