"""Midpoint and final surveys: the form, and saving the answers."""

from __future__ import annotations

from slack_sdk.models.views import View

from bot.deps import Deps
from bot.flows.effects import Effects, Post
from bot.services import surveys as survey_rules
from bot.services.surveys import SurveyInput
from bot.views import surveys as views
from models.enums import SurveyKind

THANKS = "Thank you: your survey answers are saved."


def survey_form(deps: Deps, *, user_id: str, pair_id: int, kind: SurveyKind) -> View:
    with deps.session_factory.begin() as db_session:
        _, person = survey_rules.respondent(db_session, pair_id=pair_id, user_id=user_id)
        topics = survey_rules.survey_topics(db_session, participant_id=person.id)
    return views.survey_modal(pair_id=pair_id, kind=kind, topics=topics)


def answer_survey(
    deps: Deps, *, user_id: str, pair_id: int, kind: SurveyKind, values: SurveyInput
) -> Effects:
    with deps.session_factory.begin() as db_session:
        pair, person = survey_rules.respondent(db_session, pair_id=pair_id, user_id=user_id)
        survey_rules.save_response(
            db_session, pair=pair, person=person, kind=kind, values=values, now=deps.clock()
        )
    return Effects().add(Post(user_id, THANKS))
