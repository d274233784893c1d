"""Midpoint and final surveys: the invitation's button opens the form; answers are saved."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.flows import effects
from bot.flows.surveys import answer_survey, survey_form
from bot.handlers.listen import action, refuse, view
from bot.handlers.payload import OutOfDateError, record_id, user_id_of
from bot.services.surveys import validate_survey
from bot.views import surveys as views
from bot.views.ids import ActionId, CallbackId
from bot.views.state import state_values
from models.enums import SurveyKind


def on_open(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    raw_pair_id, _, kind = str(action.get("value")).partition(":")
    if kind not in set(SurveyKind):
        raise OutOfDateError
    pair_id = record_id(raw_pair_id)
    ack()
    form = survey_form(
        Deps.of(context), user_id=user_id_of(body), pair_id=pair_id, kind=SurveyKind(kind)
    )
    client.views_open(trigger_id=body["trigger_id"], view=form)


def on_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    metadata = views.SurveyMetadata.load(view.get("private_metadata"))
    values = views.parse_survey_state(state_values(view), metadata.topics)
    refuse(validate_survey(values, topics=metadata.topics))
    deps = Deps.of(context)
    then = answer_survey(
        deps,
        user_id=user_id_of(body),
        pair_id=metadata.pair_id,
        kind=SurveyKind(metadata.kind),
        values=values,
    )
    ack()
    effects.run(then, deps=deps, client=client)


LISTENERS = (action(ActionId.OPEN_SURVEY, on_open), view(CallbackId.SURVEY, on_submit))
