"""Sessions in Slack: the schedule and cancel forms, confirmations, reminders, check-ins."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.services.checkins import TEXT_LIMITS, CheckInInput
from bot.services.local_time import describe, describe_clock
from bot.services.sessions import AGENDA_LENGTH, REASON_LENGTH, SessionInput
from bot.services.topics import topic_label
from bot.views.ids import ActionId, CallbackId, CheckInBlock, SessionBlock
from bot.views.metadata import ViewMetadata
from bot.views.state import as_int
from bot.views.text import clip, escape, sections

RATINGS = {
    "5": "5 - excellent",
    "4": "4 - good",
    "3": "3 - fine",
    "2": "2 - not great",
    "1": "1 - poor",
}


class ScheduleMetadata(ViewMetadata):
    pair_id: int = 0
    session_id: int = 0  # set when moving a session
    zone: str = "UTC"


class SessionMetadata(ViewMetadata):
    session_id: int = 0


def schedule_modal(
    *,
    partner: str,
    zone: str,
    minutes: int,
    agenda: str,
    metadata: ScheduleMetadata,
    day: str | None = None,
    clock: str | None = None,
) -> View:
    """Pick a date and time (in the person's own zone), a length and an agenda."""
    moving = bool(metadata.session_id)
    return View(
        type="modal",
        callback_id=CallbackId.SCHEDULE_SESSION,
        private_metadata=metadata.dump(),
        title=PlainTextObject(text="Move session" if moving else "Schedule a session"),
        submit=PlainTextObject(text="Move" if moving else "Schedule"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"With <@{partner}>. Times are in your time zone, *{escape(zone)}*; "
                    "your partner sees them in theirs."
                )
            ),
            InputBlock(
                block_id=SessionBlock.DAY,
                label=PlainTextObject(text="Date"),
                element=DatePickerElement(action_id=SessionBlock.DAY, initial_date=day),
            ),
            InputBlock(
                block_id=SessionBlock.CLOCK,
                label=PlainTextObject(text="Start time"),
                element=TimePickerElement(
                    action_id=SessionBlock.CLOCK, initial_time=clock, timezone=zone
                ),
            ),
            InputBlock(
                block_id=SessionBlock.MINUTES,
                label=PlainTextObject(text="Length (minutes)"),
                element=NumberInputElement(
                    action_id=SessionBlock.MINUTES,
                    is_decimal_allowed=False,
                    min_value="15",
                    max_value="180",
                    initial_value=str(minutes),
                ),
            ),
            InputBlock(
                block_id=SessionBlock.AGENDA,
                optional=True,
                label=PlainTextObject(text="Agenda"),
                hint=PlainTextObject(text="Suggested from your goals' topics; change it freely."),
                element=PlainTextInputElement(
                    action_id=SessionBlock.AGENDA,
                    multiline=True,
                    max_length=AGENDA_LENGTH,
                    initial_value=agenda or None,
                ),
            ),
        ],
    )


def cancel_modal(*, when: str, session_id: int) -> View:
    return View(
        type="modal",
        callback_id=CallbackId.CANCEL_SESSION,
        private_metadata=SessionMetadata(session_id=session_id).dump(),
        title=PlainTextObject(text="Cancel session"),
        submit=PlainTextObject(text="Cancel session"),
        close=PlainTextObject(text="Keep it"),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=f"Cancel the session on *{when}*?")),
            InputBlock(
                block_id=SessionBlock.REASON,
                optional=True,
                label=PlainTextObject(text="Reason (your partner will see it)"),
                element=PlainTextInputElement(
                    action_id=SessionBlock.REASON, max_length=REASON_LENGTH
                ),
            ),
        ],
    )


def _session_buttons(session_id: int) -> ActionsBlock:
    return ActionsBlock(
        elements=[
            ButtonElement(text="Move", action_id=ActionId.MOVE_SESSION, value=str(session_id)),
            ButtonElement(
                text="Cancel session",
                action_id=ActionId.CANCEL_SESSION,
                value=str(session_id),
                style="danger",
            ),
        ]
    )


def _agenda_lines(agenda: str | None) -> str:
    if not agenda:
        return ""
    return "\n*Agenda*\n" + "\n".join(f"• {escape(line)}" for line in agenda.splitlines() if line)


def session_confirmation(
    *,
    session_id: int,
    starts_at: datetime,
    minutes: int,
    agenda: str | None,
    by_user: str,
    moved: bool,
) -> tuple[str, list[Block]]:
    """Posted in the pair's group DM; Slack shows the date in each reader's own zone."""
    stamp = int(starts_at.timestamp())
    when = f"<!date^{stamp}^{{date_long_pretty}} at {{time}}|{starts_at:%Y-%m-%d %H:%M} UTC>"
    verb = "moved the session to" if moved else "scheduled a session for"
    text = f"<@{by_user}> {verb} {when} ({minutes} min)."
    return text, [
        *sections(f":calendar: {text}{_agenda_lines(agenda)}"),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="A calendar invite follows. Reminders come 24 h and 1 h before."
                )
            ]
        ),
        _session_buttons(session_id),
    ]


def cancellation_notice(
    *, by_user: str, starts_at: datetime, zone: str | None, reason: str | None
) -> str:
    why = f" Reason: {escape(reason)}" if reason else ""
    return (
        f"<@{by_user}> cancelled the session on {describe(starts_at, zone)}.{why} "
        "Use `/mentoring schedule` to book another."
    )


def reminder(
    *,
    lead: str,
    partner: str | None,
    starts_at: datetime,
    minutes: int,
    zone: str | None,
    agenda: str | None,
    session_id: int,
    guide: list[str] | None = None,
) -> tuple[str, list[Block]]:
    """The 24 h or 1 h reminder, with the time as the person reads it locally."""
    who = f"<@{partner}>" if partner else "your partner"
    when = describe(starts_at, zone) if lead == "24h" else describe_clock(starts_at, zone)
    soon = "tomorrow" if lead == "24h" else "in an hour"
    text = f"Reminder: your mentoring session with {who} is {soon}, {when} ({minutes} min)."
    blocks: list[Block] = [*sections(f":alarm_clock: {text}{_agenda_lines(agenda)}")]
    if guide:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=clip("*Session guide*\n" + "\n".join(f"• {escape(g)}" for g in guide))
                )
            )
        )
    blocks.append(_session_buttons(session_id))
    return text, blocks


def checkin_prompt(
    *, partner: str | None, starts_at: datetime, zone: str | None, session_id: int, reask: bool
) -> tuple[str, list[Block]]:
    who = f"<@{partner}>" if partner else "your partner"
    when = describe(starts_at, zone)
    lead = "A gentle nudge: how" if reask else "How"
    text = f"{lead} did your session with {who} on {when} go?"
    value = str(session_id)
    return text, [
        SectionBlock(text=MarkdownTextObject(text=text)),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="It happened",
                    action_id=ActionId.CHECKIN_HAPPENED,
                    value=value,
                    style="primary",
                ),
                ButtonElement(
                    text="We rescheduled", action_id=ActionId.CHECKIN_RESCHEDULED, value=value
                ),
                ButtonElement(
                    text="It was cancelled", action_id=ActionId.CHECKIN_CANCELLED, value=value
                ),
            ]
        ),
    ]


def checkin_modal(*, session_id: int, partner: str | None, topics: list[str]) -> View:
    """Rating, topics covered, what I learned or taught, a private note, a follow-up."""
    who = f"<@{partner}>" if partner else "your partner"
    topic_options = [Option(value=key, label=topic_label(key)) for key in topics[:100]]
    blocks: list[Block] = [
        InputBlock(
            block_id=CheckInBlock.RATING,
            label=PlainTextObject(text="How was it?"),
            element=StaticSelectElement(
                action_id=CheckInBlock.RATING,
                options=[Option(value=v, label=label) for v, label in RATINGS.items()],
            ),
        ),
    ]
    if topic_options:
        blocks.append(
            InputBlock(
                block_id=CheckInBlock.TOPICS,
                optional=True,
                label=PlainTextObject(text="Topics covered"),
                element=CheckboxesElement(action_id=CheckInBlock.TOPICS, options=topic_options),
            )
        )
    blocks += [
        InputBlock(
            block_id=CheckInBlock.LEARNED,
            optional=True,
            label=PlainTextObject(text="What I learned or taught"),
            element=PlainTextInputElement(
                action_id=CheckInBlock.LEARNED,
                multiline=True,
                max_length=TEXT_LIMITS[CheckInBlock.LEARNED],
            ),
        ),
        InputBlock(
            block_id=CheckInBlock.PRIVATE_NOTE,
            optional=True,
            label=PlainTextObject(text="Private note"),
            hint=PlainTextObject(
                text="Only you will ever see this: not your partner, not the coordinators."
            ),
            element=PlainTextInputElement(
                action_id=CheckInBlock.PRIVATE_NOTE,
                multiline=True,
                max_length=TEXT_LIMITS[CheckInBlock.PRIVATE_NOTE],
            ),
        ),
        InputBlock(
            block_id=CheckInBlock.FOLLOW_UP,
            optional=True,
            label=PlainTextObject(text="A follow-up for my partner"),
            hint=PlainTextObject(text="Posted to your pair's group DM."),
            element=PlainTextInputElement(
                action_id=CheckInBlock.FOLLOW_UP,
                multiline=True,
                max_length=TEXT_LIMITS[CheckInBlock.FOLLOW_UP],
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=CallbackId.CHECK_IN,
        private_metadata=SessionMetadata(session_id=session_id).dump(),
        title=PlainTextObject(text="Check in"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=f"Your session with {who}.")),
            *blocks,
        ],
    )


def schedule_next(pair_id: int) -> ActionsBlock:
    """The button that opens the schedule form for the pair's next session."""
    return ActionsBlock(
        elements=[
            ButtonElement(
                text="Schedule next session",
                action_id=ActionId.SCHEDULE_SESSION,
                value=str(pair_id),
                style="primary",
            )
        ]
    )


def checkin_thanks(*, pair_id: int) -> tuple[str, list[Block]]:
    text = "Thanks for checking in. Ready to book the next one?"
    return text, [
        SectionBlock(text=MarkdownTextObject(text=text)),
        schedule_next(pair_id),
    ]


def follow_up_post(*, author: str, text: str) -> str:
    return f"Follow-up from <@{author}> after your session:\n>{escape(text)}"


def _element(state: dict[str, Any], block: str) -> dict[str, Any]:
    return state.get(block, {}).get(block) or {}


def parse_schedule_state(state: dict[str, Any]) -> SessionInput:
    """The schedule form's `view.state.values` as a SessionInput."""
    raw_day = _element(state, SessionBlock.DAY).get("selected_date")
    raw_clock = _element(state, SessionBlock.CLOCK).get("selected_time")
    raw_minutes = _element(state, SessionBlock.MINUTES).get("value")
    try:
        day = date.fromisoformat(raw_day) if raw_day else None
    except ValueError:
        day = None
    try:
        clock = time.fromisoformat(raw_clock) if raw_clock else None
    except ValueError:
        clock = None
    try:
        minutes = int(raw_minutes) if raw_minutes else None
    except ValueError:
        minutes = None
    agenda = str(_element(state, SessionBlock.AGENDA).get("value") or "")
    return SessionInput(day=day, clock=clock, minutes=minutes, agenda=agenda)


def parse_reason(state: dict[str, Any]) -> str:
    return str(_element(state, SessionBlock.REASON).get("value") or "")


def parse_checkin_state(state: dict[str, Any]) -> CheckInInput:
    rating = (_element(state, CheckInBlock.RATING).get("selected_option") or {}).get("value")
    topics = [
        o["value"] for o in _element(state, CheckInBlock.TOPICS).get("selected_options") or []
    ]

    def text(block: str) -> str:
        return str(_element(state, block).get("value") or "")

    return CheckInInput(
        rating=as_int(rating),
        topics=topics,
        learned=text(CheckInBlock.LEARNED),
        private_note=text(CheckInBlock.PRIVATE_NOTE),
        follow_up=text(CheckInBlock.FOLLOW_UP),
    )
