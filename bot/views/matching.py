"""The coordinator's matching review, the pairs' introductions, and the note to the unmatched."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.services.ground_rules import GROUND_RULES
from bot.services.matching.proposals import Proposal
from bot.views.ids import ActionId, CallbackId
from bot.views.metadata import ViewMetadata
from bot.views.text import clip, escape
from models import Pair

PAIRS_SHOWN = 40
UNMATCHED_SHOWN = 15


class MatchMetadata(ViewMetadata):
    program_id: int = 0


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{round(share * 100)}%"


def _pair_block(pair: Pair) -> SectionBlock:
    mentor = f"<@{pair.mentor.slack_user_id}>" if pair.mentor else "(someone who left)"
    mentee = f"<@{pair.mentee.slack_user_id}>" if pair.mentee else "(someone who left)"
    pin = "  :pushpin: pinned" if pair.pinned else ""
    reasons = "\n".join(f"• {escape(r)}" for r in (pair.reasons or []))
    return SectionBlock(
        block_id=f"pair:{pair.id}",
        text=MarkdownTextObject(
            text=clip(
                f"*{mentor}* coaches *{mentee}*  ·  score {pair.score or 0:.1f}{pin}\n{reasons}"
            )
        ),
        accessory=OverflowMenuElement(
            action_id=ActionId.MATCH_PAIR_MENU,
            options=[
                Option(value=f"remove:{pair.id}", label="Remove pair"),
                Option(
                    value=f"{'unpin' if pair.pinned else 'pin'}:{pair.id}",
                    label="Unpin pair" if pair.pinned else "Pin pair",
                ),
            ],
        ),
    )


def proposal_modal(proposal: Proposal, *, notice: str | None = None) -> View:
    """The proposal for review: figures, pairs with reasons, the unmatched with reasons."""
    pairs, unmatched = proposal.pairs, proposal.unmatched
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*{escape(proposal.program.name)}*: {len(pairs)} pairs proposed, "
                f"{len(unmatched)} people unmatched.\n"
                f"Top wanted topic covered for *{_percent(proposal.top_topic_covered)}* of "
                f"mentees · *{_percent(proposal.cross_department)}* of pairs cross departments."
            )
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(text=notice or "Nobody is told anything until you publish.")
            ]
        ),
        ActionsBlock(
            elements=[
                ButtonElement(text="Re-run", action_id=ActionId.MATCH_RERUN),
                ButtonElement(
                    text="Publish",
                    action_id=ActionId.MATCH_PUBLISH,
                    style="primary",
                    confirm=ConfirmObject(
                        title="Publish these pairs?",
                        text=f"{len(pairs)} pairs will be introduced in group DMs, and the "
                        f"{len(unmatched)} unmatched told they stay in the pool.",
                        confirm="Publish",
                        deny="Not yet",
                    ),
                ),
            ]
        ),
        DividerBlock(),
    ]
    blocks += [_pair_block(pair) for pair in pairs[:PAIRS_SHOWN]]
    if len(pairs) > PAIRS_SHOWN:
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text=f"…and {len(pairs) - PAIRS_SHOWN} more pairs.")]
            )
        )
    if not pairs:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="No pairs to propose right now.")))
    if unmatched:
        blocks.append(HeaderBlock(text="Unmatched"))
        for participant, reason in unmatched[:UNMATCHED_SHOWN]:
            blocks.append(
                SectionBlock(
                    text=MarkdownTextObject(
                        text=f"<@{participant.slack_user_id}>: {escape(reason)}"
                    )
                )
            )
        if len(unmatched) > UNMATCHED_SHOWN:
            blocks.append(
                ContextBlock(
                    elements=[
                        MarkdownTextObject(text=f"…and {len(unmatched) - UNMATCHED_SHOWN} more.")
                    ]
                )
            )
    return View(
        type="modal",
        callback_id=CallbackId.MATCH_REVIEW,
        title="Match proposal",
        close="Close",
        private_metadata=MatchMetadata(program_id=proposal.program.id).dump(),
        blocks=blocks,
    )


def published_modal(program_name: str, *, pairs: int, notified: int) -> View:
    return View(
        type="modal",
        callback_id=CallbackId.MATCH_REVIEW,
        title="Match proposal",
        close="Done",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*Published* for *{escape(program_name)}*: {pairs} pairs introduced "
                    f"in group DMs; {notified} unmatched people told they stay in the pool."
                )
            )
        ],
    )


def intro_message(pair: Pair, program_name: str) -> tuple[str, list[Block]]:
    """The group DM introducing a new pair."""
    assert pair.mentor is not None and pair.mentee is not None
    mentor, mentee = f"<@{pair.mentor.slack_user_id}>", f"<@{pair.mentee.slack_user_id}>"
    reasons = "\n".join(f"• {escape(r)}" for r in (pair.reasons or []))
    rules = "\n".join(f"• {rule}" for rule in GROUND_RULES)
    text = f"Meet your reverse-mentoring partner: {mentor} and {mentee}"
    blocks: list[Block] = [
        HeaderBlock(text="Meet your reverse-mentoring partner"),
        SectionBlock(
            text=MarkdownTextObject(
                text=f"Welcome to *{escape(program_name)}*! {mentor} will share digital skills "
                f"with {mentee}, who shares business experience back."
            )
        ),
        SectionBlock(text=MarkdownTextObject(text=f"*Why you two*\n{reasons}")),
        SectionBlock(text=MarkdownTextObject(text=f"*Ground rules*\n{rules}")),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Set our goals",
                    action_id=ActionId.START_GOALS,
                    style="primary",
                    value=str(pair.id),
                )
            ]
        ),
    ]
    return text, blocks


def unmatched_note(program_name: str, reason: str) -> tuple[str, list[Block]]:
    text = f"You're in the pool for {escape(program_name)}"
    return text, [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*{text}.* We couldn't find you a partner this round ({escape(reason)}). "
                "You stay in the pool, and we'll try again as more people join."
            )
        )
    ]
