"""The close-out's answers: agreeing to be recognised by name, and what comes next."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.deps import Deps
from bot.flows import closing as flows
from bot.handlers.listen import action
from bot.handlers.payload import record_id, team_id_of, user_id_of
from bot.views.ids import NEXT_STEP_PREFIX, ActionId
from models.enums import NextStep


def on_agree_to_recognition(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    pair_id = record_id(action.get("value"))
    ack()
    text = flows.agree_to_recognition(
        Deps.of(context), team_id=team_id_of(body), user_id=user_id_of(body), pair_id=pair_id
    )
    respond(response_type="ephemeral", replace_original=False, text=text)


def on_next_step(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    pair_id = record_id(action.get("value"))
    step = NextStep(action["action_id"].removeprefix(NEXT_STEP_PREFIX))
    ack()
    text = flows.choose_next_step(
        Deps.of(context),
        team_id=team_id_of(body),
        user_id=user_id_of(body),
        pair_id=pair_id,
        step=step,
    )
    respond(response_type="ephemeral", replace_original=False, text=text)


LISTENERS = (
    action(ActionId.AGREE_TO_RECOGNITION, on_agree_to_recognition),
    action(re.compile(f"^{NEXT_STEP_PREFIX}({'|'.join(NextStep)})$"), on_next_step),
)
