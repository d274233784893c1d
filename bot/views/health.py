"""Pair health in Slack: the coordinators' at-risk alert and the silent pair's nudge."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.views.sessions import schedule_next
from bot.views.text import escape


def _person(participant_user: str | None) -> str:
    return f"<@{participant_user}>" if participant_user else "(someone who left)"


def at_risk_alert(
    *, mentor_user: str | None, mentee_user: str | None, reason: str
) -> tuple[str, list[Block]]:
    """To each coordinator: which pair, and why (counts per side; never anyone's notes)."""
    mentor, mentee = _person(mentor_user), _person(mentee_user)
    text = f"Pair at risk: {mentor} (reverse mentor) and {mentee} (mentee): {escape(reason)}."
    return text, [
        SectionBlock(text=MarkdownTextObject(text=f":warning: *Pair at risk*\n{text}")),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="A word with each of them now can save the pair. Their private notes "
                    "stay private."
                )
            ]
        ),
    ]


def nudge(*, pair_id: int, days: int) -> tuple[str, list[Block]]:
    text = (
        f"It's been {days} days since your last session was booked. "
        "A short catch-up keeps the momentum going. Shall we put the next one in the calendar?"
    )
    return text, [
        SectionBlock(text=MarkdownTextObject(text=f":wave: {text}")),
        schedule_next(pair_id),
    ]
