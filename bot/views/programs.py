"""The program settings modal and the program list."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.services.programs import (
    MAX_PLANNED_SESSIONS,
    NAME_LENGTH,
    SESSION_MINUTES,
    ProgramField,
    ProgramInput,
    ProgramSummary,
)
from bot.views.ids import CallbackId
from bot.views.metadata import ViewMetadata
from bot.views.signup import CADENCE_LABELS
from bot.views.text import escape
from models.enums import Cadence, ProgramStatus

SIGNUP_OPEN, SIGNUP_CLOSED = "open", "closed"
FINISH = "finish"
STATUS_LABELS = {
    ProgramStatus.OPEN: "open",
    ProgramStatus.CLOSED: "closed",
    ProgramStatus.FINISHED: "finished",
}


class ProgramMetadata(ViewMetadata):
    program_id: int | None = None  # None: creating a new program


def _opt(value: str, label: str) -> Option:
    return Option(value=value, label=label)


def program_modal(values: ProgramInput, metadata: ProgramMetadata) -> View:
    """Create a program, or edit one (`metadata.program_id`)."""
    editing = metadata.program_id is not None
    blocks: list[Block] = []
    if not editing:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text="The new program becomes the open one that `/mentoring join` "
                        "enrols into. The program open now is closed, and keeps its data."
                    )
                ]
            )
        )
    blocks += [
        InputBlock(
            block_id=ProgramField.NAME,
            label="Name",
            element=PlainTextInputElement(
                action_id=ProgramField.NAME,
                initial_value=values.name or None,
                max_length=NAME_LENGTH,
                placeholder="e.g. Reverse mentoring spring 2027",
            ),
        ),
        *_dates(values),
        *_meetings(values),
        *_sign_up(values),
    ]
    if editing:
        blocks.append(_finish(values))
    return View(
        type="modal",
        callback_id=CallbackId.PROGRAM,
        title=PlainTextObject(text="Edit program" if editing else "New program"),
        submit=PlainTextObject(text="Save" if editing else "Create"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=metadata.dump(),
        blocks=blocks,
    )


def _pick(options: list[Option], value: object) -> Option | None:
    return next((o for o in options if o.value == str(value)), None)


def _dates(values: ProgramInput) -> list[Block]:
    return [
        _date_input(ProgramField.STARTS_ON, "Starts on", values.starts_on),
        _date_input(ProgramField.ENDS_ON, "Ends on", values.ends_on),
        _date_input(
            ProgramField.MIDPOINT_ON,
            "Midpoint evaluation on",
            values.midpoint_on,
            hint="The midpoint survey goes to every pair that day. "
            "Unset: halfway through each pair's own time.",
        ),
        _date_input(
            ProgramField.FINAL_ON,
            "Final evaluation on",
            values.final_on,
            hint="The final survey goes to every pair that day. Unset: each pair's end date.",
        ),
    ]


def _date_input(
    field: ProgramField, label: str, day: date | None, *, hint: str | None = None
) -> InputBlock:
    return InputBlock(
        block_id=field,
        label=label,
        optional=True,
        hint=hint,
        element=DatePickerElement(action_id=field, initial_date=day.isoformat() if day else None),
    )


def _meetings(values: ProgramInput) -> list[Block]:
    cadences = [_opt(str(c), label) for c, label in CADENCE_LABELS.items()]
    lengths = [_opt(str(m), f"{m} minutes") for m in SESSION_MINUTES]
    return [
        InputBlock(
            block_id=ProgramField.CADENCE,
            label="Pairs meet",
            element=StaticSelectElement(
                action_id=ProgramField.CADENCE,
                options=cadences,
                initial_option=_pick(cadences, values.cadence),
            ),
        ),
        InputBlock(
            block_id=ProgramField.SESSION_MINUTES,
            label="Session length",
            element=StaticSelectElement(
                action_id=ProgramField.SESSION_MINUTES,
                options=lengths,
                initial_option=_pick(lengths, values.session_minutes),
            ),
        ),
        InputBlock(
            block_id=ProgramField.PLANNED_SESSIONS,
            label="Planned number of sessions",
            element=NumberInputElement(
                action_id=ProgramField.PLANNED_SESSIONS,
                is_decimal_allowed=False,
                min_value="1",
                max_value=str(MAX_PLANNED_SESSIONS),
                initial_value=str(values.planned_sessions) if values.planned_sessions else None,
            ),
        ),
    ]


def _sign_up(values: ProgramInput) -> list[Block]:
    signup = [
        _opt(SIGNUP_OPEN, "Open: people can join"),
        _opt(SIGNUP_CLOSED, "Closed: no new sign-ups"),
    ]
    return [
        InputBlock(
            block_id=ProgramField.ANNOUNCEMENT_CHANNEL,
            label="Announcement channel",
            optional=True,
            element=ConversationSelectElement(
                action_id=ProgramField.ANNOUNCEMENT_CHANNEL,
                initial_conversation=values.announcement_channel,
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
        ),
        InputBlock(
            block_id=ProgramField.SIGNUP_OPEN,
            label="Sign-up",
            element=RadioButtonsElement(
                action_id=ProgramField.SIGNUP_OPEN,
                options=signup,
                initial_option=signup[0] if values.signup_open else signup[1],
            ),
        ),
    ]


def _finish(values: ProgramInput) -> InputBlock:
    finish = [_opt(FINISH, "Mark this program finished (its data is kept)")]
    return InputBlock(
        block_id=ProgramField.STATUS,
        label="Finish",
        optional=True,
        element=CheckboxesElement(
            action_id=ProgramField.STATUS,
            options=finish,
            initial_options=finish if values.status == ProgramStatus.FINISHED else None,
        ),
    )


def parse_program_state(
    state: dict[str, dict[str, dict[str, object]]], current: ProgramStatus
) -> ProgramInput:
    """Read the program modal's `view.state.values` back into a ProgramInput."""
    from datetime import date

    def el(field: str) -> dict[str, object]:
        return state.get(field, {}).get(field) or {}

    def selected(field: str) -> str | None:
        option = el(field).get("selected_option")
        return option.get("value") if isinstance(option, dict) else None

    def as_date(field: str) -> date | None:
        raw = el(field).get("selected_date")
        try:
            return date.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            return None

    def as_int(raw: object) -> int | None:
        try:
            return int(str(raw)) if raw is not None else None
        except ValueError:
            return None

    cadence = selected(ProgramField.CADENCE)
    finished = bool(el(ProgramField.STATUS).get("selected_options"))
    channel = el(ProgramField.ANNOUNCEMENT_CHANNEL).get("selected_conversation")
    return ProgramInput(
        name=str(el(ProgramField.NAME).get("value") or ""),
        starts_on=as_date(ProgramField.STARTS_ON),
        ends_on=as_date(ProgramField.ENDS_ON),
        midpoint_on=as_date(ProgramField.MIDPOINT_ON),
        final_on=as_date(ProgramField.FINAL_ON),
        cadence=Cadence(cadence) if cadence in set(Cadence) else None,
        session_minutes=as_int(selected(ProgramField.SESSION_MINUTES)),
        planned_sessions=as_int(el(ProgramField.PLANNED_SESSIONS).get("value")),
        announcement_channel=channel if isinstance(channel, str) else None,
        signup_open=selected(ProgramField.SIGNUP_OPEN) != SIGNUP_CLOSED,
        status=ProgramStatus.FINISHED if finished else current,
    )


def program_line(summary: ProgramSummary) -> str:
    p = summary.program
    dates = ""
    if p.starts_on or p.ends_on:
        start = p.starts_on.isoformat() if p.starts_on else "?"
        end = p.ends_on.isoformat() if p.ends_on else "?"
        dates = f", {start} to {end}"
    signup = (
        "sign-up open" if p.signup_open and p.status == ProgramStatus.OPEN else "sign-up closed"
    )
    return (
        f"*{escape(p.name)}* ({STATUS_LABELS[p.status]}, {signup}{dates}): "
        f"{summary.participants} participants ({summary.mentors} reverse mentors, "
        f"{summary.mentees} mentees, {summary.both} both)"
    )


def program_list_blocks(summaries: list[ProgramSummary]) -> list[Block]:
    if not summaries:
        return [
            SectionBlock(
                text=MarkdownTextObject(
                    text="No programs yet. Start one with `/mentoring program new`."
                )
            )
        ]
    lines = "\n".join(f"• {program_line(s)}" for s in summaries)
    return [SectionBlock(text=MarkdownTextObject(text=f"*Programs*\n{lines}"))]


def saved_text(name: str, *, status: ProgramStatus, signup_open: bool, replaced: str | None) -> str:
    """What the coordinator is told once the program form is saved (`replaced`: the name of
    the program a new one closed)."""
    text = f"Saved *{escape(name)}*."
    if status == ProgramStatus.FINISHED:
        text += " It is finished; its data is kept."
    elif signup_open:
        text += " Sign-up is open: people join with `/mentoring join`."
    else:
        text += " Sign-up is closed."
    if replaced is not None:
        text += f" *{escape(replaced)}* is now closed; its data is kept."
    return text
