"""Midpoint and final surveys: the invitation's button opens the form; answers are saved."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.handlers.deps import Deps, OutOfDateError, record_id, user_id_of
from bot.services import surveys as rules
from bot.views import surveys as views
from bot.views.ids import ActionId, CallbackId
from bot.views.state import state_values
from models.enums import SurveyKind


def register(app: App, deps: Deps) -> None:
    @app.action(ActionId.OPEN_SURVEY)
    def on_open(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        raw_pair_id, _, kind = str(action.get("value")).partition(":")
        if kind not in set(SurveyKind):
            raise OutOfDateError
        pair_id = record_id(raw_pair_id)
        ack()
        with deps.session_factory.begin() as db_session:
            _, person = rules.respondent(db_session, pair_id=pair_id, user_id=user_id_of(body))
            topics = rules.survey_topics(person)
        client.views_open(
            trigger_id=body["trigger_id"],
            view=views.survey_modal(pair_id=pair_id, kind=SurveyKind(kind), topics=topics),
        )

    @app.view(CallbackId.SURVEY)
    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        metadata = views.SurveyMetadata.load(view.get("private_metadata"))
        values = views.parse_survey_state(state_values(view), metadata.topics)
        errors = rules.validate_survey(values, topics=metadata.topics)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        user_id = user_id_of(body)
        with deps.session_factory.begin() as db_session:
            pair, person = rules.respondent(db_session, pair_id=metadata.pair_id, user_id=user_id)
            rules.save_response(
                db_session,
                pair=pair,
                person=person,
                kind=SurveyKind(metadata.kind),
                values=values,
                now=deps.clock(),
            )
        ack()
        client.chat_postMessage(channel=user_id, text="Thank you: your survey answers are saved.")
