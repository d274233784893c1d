"""The concern form, the coordinators' copy with its Acknowledge button, and the reporter's DMs."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.services.concerns import TEXT_LENGTH, ConcernDetails, PairPeople
from bot.views.ids import ActionId, CallbackId, ConcernBlock
from bot.views.text import escaped_chunks

REASSURANCE = (
    ":lock: Only the program coordinators will read this. Your partner is never told, "
    "and nothing you write here is shown to them."
)


def concern_modal() -> View:
    """A single, private text box for what's on the person's mind."""
    return View(
        type="modal",
        callback_id=CallbackId.CONCERN,
        title=PlainTextObject(text="Raise a concern"),
        submit=PlainTextObject(text="Send privately"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text="Something about your pairing or the program not going well? "
                    "Tell the coordinators here, in your own words."
                )
            ),
            InputBlock(
                block_id=ConcernBlock.TEXT,
                label="What's on your mind?",
                element=PlainTextInputElement(
                    action_id=ConcernBlock.TEXT,
                    multiline=True,
                    max_length=TEXT_LENGTH,
                    placeholder="e.g. our sessions keep getting cancelled at the last minute",
                ),
            ),
            ContextBlock(elements=[MarkdownTextObject(text=REASSURANCE)]),
        ],
    )


def parse_concern_text(state: dict[str, dict[str, dict[str, object]]]) -> str:
    """The text typed into the concern form (`view.state.values`)."""
    value = state.get(ConcernBlock.TEXT, {}).get(ConcernBlock.TEXT, {}).get("value")
    return value if isinstance(value, str) else ""


def _when(moment: datetime) -> str:
    """A time Slack shows in each reader's own time zone."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def _person(user: str | None) -> str:
    return f"<@{user}>" if user else "(someone who left)"


def _pair_line(pair: PairPeople) -> str:
    return f"{_person(pair.mentor)} (reverse mentor) and {_person(pair.mentee)} (mentee)"


def _about(details: ConcernDetails) -> str:
    if details.linked:
        return f"*About the pair* {_pair_line(details.pairs[0])}"
    if details.pairs:
        lines = "\n".join(f"• {_pair_line(p)}" for p in details.pairs)
        return f"*Not linked to one pair.* Their current pairs:\n{lines}"
    return "*Not linked to a pair:* they have no current partner."


def coordinator_message(details: ConcernDetails) -> tuple[str, list[Block]]:
    """The coordinators' DM: what was written, by whom, about which pair, and Acknowledge.

    Once acknowledged, the button gives way to who acknowledged it and when. The notification
    text names nobody and quotes nothing, as it may show on a locked phone.
    """
    blocks: list[Block] = [
        HeaderBlock(text="A concern raised privately"),
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*From* <@{details.reporter}>, {_when(details.raised_at)}\n{_about(details)}"
            )
        ),
    ]
    blocks += [SectionBlock(text=MarkdownTextObject(text=c)) for c in escaped_chunks(details.text)]
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Only the program coordinators receive this. Nobody in the pair has "
                    "been told; please don't forward it to them."
                )
            ]
        )
    )
    if details.acknowledged_at is None:
        blocks.append(
            ActionsBlock(
                block_id=ConcernBlock.ACKNOWLEDGE,
                elements=[
                    ButtonElement(
                        text="Acknowledge",
                        action_id=ActionId.ACKNOWLEDGE_CONCERN,
                        value=str(details.concern_id),
                        style="primary",
                    )
                ],
            )
        )
    else:
        who = _person(details.acknowledged_by)
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f":white_check_mark: Acknowledged by {who}, "
                    f"{_when(details.acknowledged_at)}. The person who raised it has been told "
                    "a coordinator has read it."
                )
            )
        )
    return "A participant raised a concern privately with the coordinators", blocks


def receipt(details: ConcernDetails) -> tuple[str, list[Block]]:
    """The reporter's receipt, with their own words for their records."""
    title = "Your concern went to the program coordinators"
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*{title}.* Thank you for telling us. Only the coordinators can read it; "
                "your partner has not been told and won't be. You'll hear here when a "
                "coordinator has read it."
            )
        ),
        ContextBlock(elements=[MarkdownTextObject(text="What you wrote:")]),
    ]
    blocks += [SectionBlock(text=MarkdownTextObject(text=c)) for c in escaped_chunks(details.text)]
    return title, blocks


def acknowledged_text(details: ConcernDetails) -> str:
    """Tells the reporter their concern was read; names no partner and quotes nothing."""
    who = _person(details.acknowledged_by)
    return (
        f"{who}, a program coordinator, has read the concern you raised "
        f"{_when(details.raised_at)}. They may get in touch with you directly."
    )
