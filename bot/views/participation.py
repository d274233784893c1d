"""Messages for participants' own controls: status, pause, leave, forget me."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.services.participation import StatusReport
from bot.views.ids import ActionId
from bot.views.messages import profile_summary_fields
from bot.views.text import escape


def local_date(moment: datetime) -> str:
    """A date Slack renders in each reader's own time zone."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_long_pretty}} at {{time}}|{fallback}>"


def paused_text(until: datetime) -> str:
    return (
        f"You're paused until {local_date(until)}. No matching and no prompts until then; "
        "the pause ends by itself. Back sooner? `/mentoring resume`."
    )


def resumed_text(was_paused: bool) -> str:
    return "Welcome back! You're active again." if was_paused else "You weren't paused."


def left_text(program_name: str) -> str:
    return (
        f"You've left *{escape(program_name)}*. Thank you for taking part. If you were "
        "paired, your partner has been told kindly, with no reason given. "
        "Changed your mind? `/mentoring join`."
    )


PARTNER_LEFT_TEXT = (
    "Your mentoring partner has stepped away from the program. This is nothing you did: "
    "people's circumstances change. You stay in the program, and you'll be matched again "
    "in the next round."
)

FORGET_WARNING = (
    "*Delete everything the app holds about you?*\n"
    "Your profile, your poll answers and anything else that names you will be deleted, and "
    "you'll leave the program. If you have a partner, they'll be told you stepped away (no "
    "reason given); the program keeps anonymous counts only. This cannot be undone."
)
FORGOTTEN_TEXT = "Done: everything the app held about you has been deleted."


def forget_confirmation() -> list[Block]:
    return [
        SectionBlock(text=MarkdownTextObject(text=FORGET_WARNING)),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Delete my data",
                    action_id=ActionId.FORGET_ME_CONFIRM,
                    style="danger",
                    value="forget",
                    confirm=ConfirmObject(
                        title="Delete your data?",
                        text="This cannot be undone.",
                        confirm="Delete",
                        deny="Keep it",
                    ),
                )
            ]
        ),
    ]


def status_blocks(report: StatusReport) -> tuple[str, list[Block]]:
    """What the app holds about the person and what happens next."""
    program = escape(report.program.name) if report.program else None
    blocks: list[Block] = []
    if report.profile is None or report.left:
        where = f" in *{program}*" if program else ""
        state = "You've left the program" if report.left else f"You haven't joined{where} yet"
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=f"*{state}.* Sign up with `/mentoring join`.")
            )
        )
    else:
        if report.paused_until:
            state = f"Paused until {local_date(report.paused_until)}"
        else:
            state = "Active"
        if report.partners:
            partners = ", ".join(f"<@{p}>" for p in report.partners)
            step = f"You're paired with {partners}. Meet at the pace you agreed."
        else:
            step = "You're in the pool: you'll get a DM as soon as you're matched."
        blocks += [
            SectionBlock(
                text=MarkdownTextObject(text=f"*{state}* in *{program}*.\n*What's next:* {step}")
            ),
            SectionBlock(fields=profile_summary_fields(report.profile)),
        ]
    votes = report.poll_answers
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"The app also holds {votes} poll answer{'s' if votes != 1 else ''} "
                    "of yours. `/mentoring profile` edits your profile, `/mentoring pause` "
                    "pauses, `/mentoring leave` leaves, `/mentoring forget-me` deletes it all."
                )
            ]
        )
    )
    return "Your reverse mentoring status", blocks
