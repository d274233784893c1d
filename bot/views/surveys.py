"""The midpoint and final surveys: the invitation DM and the form."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.services.surveys import SurveyInput
from bot.services.topics import topic_label
from bot.views.ids import ActionId, CallbackId, SurveyBlock, survey_rating_block_id
from bot.views.metadata import ViewMetadata
from bot.views.signup import RATING_LABELS
from bot.views.state import as_int
from models.enums import SurveyKind

EFFECTIVENESS = {
    5: "5 - Very effective",
    4: "4 - Effective",
    3: "3 - Somewhat",
    2: "2 - Not much",
    1: "1 - Not at all",
}
TITLES = {SurveyKind.MIDPOINT: "Midpoint survey", SurveyKind.FINAL: "Final survey"}


class SurveyMetadata(ViewMetadata):
    pair_id: int = 0
    kind: str = SurveyKind.MIDPOINT.value
    topics: list[str] = []


def survey_invitation(*, pair_id: int, kind: SurveyKind) -> tuple[str, list[Block]]:
    moment = "halfway through" if kind == SurveyKind.MIDPOINT else "at the end of"
    text = (
        f"You're {moment} your reverse-mentoring pairing. Two minutes to say how it's "
        "going? Your answers help the program; your partner doesn't see them."
    )
    return text, [
        SectionBlock(text=MarkdownTextObject(text=text)),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Take the survey",
                    action_id=ActionId.OPEN_SURVEY,
                    value=f"{pair_id}:{kind.value}",
                    style="primary",
                )
            ]
        ),
    ]


def _select(block_id: str, label: str, labels: dict[int, str]) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=label[:150]),
        element=StaticSelectElement(
            action_id=block_id,
            options=[Option(value=str(v), label=text) for v, text in labels.items()],
        ),
    )


def survey_modal(*, pair_id: int, kind: SurveyKind, topics: list[str]) -> View:
    blocks: list[Block] = [
        _select(SurveyBlock.EFFECTIVENESS, "How effective is the program for you?", EFFECTIVENESS),
        *[
            _select(
                survey_rating_block_id(topic),
                f"Your {topic_label(topic)} skills now",
                RATING_LABELS,
            )
            for topic in topics[:20]
        ],
        InputBlock(
            block_id=SurveyBlock.WOULD_RECOMMEND,
            label=PlainTextObject(text="Would you recommend it to a colleague?"),
            element=RadioButtonsElement(
                action_id=SurveyBlock.WOULD_RECOMMEND,
                options=[Option(value="yes", label="Yes"), Option(value="no", label="No")],
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=CallbackId.SURVEY,
        private_metadata=SurveyMetadata(
            pair_id=pair_id, kind=kind.value, topics=topics[:20]
        ).dump(),
        title=PlainTextObject(text=TITLES[kind]),
        submit=PlainTextObject(text="Send"),
        close=PlainTextObject(text="Later"),
        blocks=blocks,
    )


def parse_survey_state(state: dict[str, Any], topics: list[str]) -> SurveyInput:
    def selected(block: str) -> str | None:
        element = state.get(block, {}).get(block) or {}
        option = element.get("selected_option") or {}
        return option.get("value")

    def number(block: str) -> int | None:
        return as_int(selected(block))

    recommend = selected(SurveyBlock.WOULD_RECOMMEND)
    ratings = {t: r for t in topics if (r := number(survey_rating_block_id(t))) is not None}
    return SurveyInput(
        effectiveness=number(SurveyBlock.EFFECTIVENESS),
        would_recommend=None if recommend is None else recommend == "yes",
        ratings=ratings,
    )
