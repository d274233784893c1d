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
from bot.services.matching.proposals import Proposal, ProposedPair
from bot.services.matching.rounds import Progress, RoundStatus
from bot.views.ids import ActionId, CallbackId
from bot.views.metadata import ViewMetadata
from bot.views.text import clip, escape, plural
from models.enums import RoundState

PAIRS_SHOWN = 40
UNMATCHED_SHOWN = 15


class MatchMetadata(ViewMetadata):
    program_id: int = 0
    round_id: int = 0  # the round the modal shows (0: before rounds were kept)


# What Slack's refusals mean, for the coordinator's summary of a round's delivery.
DELIVERY_ERRORS = {
    "user_not_found": "Slack does not know that account",
    "account_inactive": "the account is deactivated",
    "cannot_dm_bot": "that account is a bot",
    "channel_not_found": "the conversation could not be found",
    "is_archived": "the conversation is archived",
    "not_in_channel": "the app is not in that conversation",
    "restricted_action": "the workspace does not allow it",
}


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{round(share * 100)}%"


def _person(user: str | None) -> str:
    return f"<@{user}>" if user else "(someone who left)"


def _pair_block(pair: ProposedPair) -> SectionBlock:
    mentor, mentee = _person(pair.mentor), _person(pair.mentee)
    pin = "  :pushpin: pinned" if pair.pinned else ""
    reasons = "\n".join(f"• {escape(r)}" for r in pair.reasons)
    return SectionBlock(
        block_id=f"pair:{pair.id}",
        text=MarkdownTextObject(
            text=clip(f"*{mentor}* coaches *{mentee}*  ·  score {pair.score:.1f}{pin}\n{reasons}")
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


def _modal(metadata: MatchMetadata, blocks: list[Block], *, close: str = "Close") -> View:
    # notify_on_close: a closed modal is no longer updated; its person gets a DM instead.
    return View(
        type="modal",
        callback_id=CallbackId.MATCH_REVIEW,
        title="Match proposal",
        close=close,
        notify_on_close=True,
        private_metadata=metadata.dump(),
        blocks=blocks,
    )


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


CLOSE_ANYTIME = (
    "You can close this window: the proposal waits in your App Home, and I'll send you a DM "
    "when it's ready."
)


def solving_modal(status: RoundStatus, *, viewer: str) -> View:
    """Shown at once while the solve runs in the background; filled when it is done."""
    people = plural(status.people, "person", "people")
    lines = [f"*Matching {people}…* for *{escape(status.program_name)}*."]
    if status.requested_by != viewer:
        lines.append(f"<@{status.requested_by}> started this run; you'll see the same proposal.")
    return _modal(
        MatchMetadata(program_id=status.program_id, round_id=status.id),
        [
            SectionBlock(text=MarkdownTextObject(text="\n".join(lines))),
            _context(f"A large program can take a minute. {CLOSE_ANYTIME}"),
        ],
    )


def failed_modal(status: RoundStatus) -> View:
    """The solve failed: why, in words, and a way to try again."""
    return _modal(
        MatchMetadata(program_id=status.program_id, round_id=status.id),
        [
            SectionBlock(
                text=MarkdownTextObject(
                    text=f":warning: *Matching failed* for *{escape(status.program_name)}*: "
                    f"{escape(status.error or 'the solve stopped')}.\n"
                    "Nothing was published and nobody was told anything."
                )
            ),
            ActionsBlock(elements=[ButtonElement(text="Re-run", action_id=ActionId.MATCH_RERUN)]),
        ],
    )


def _who(kind: str, channel: str) -> str:
    people = " and ".join(f"<@{u}>" for u in channel.split(",") if u)
    return f"Introduction of {people}" if kind == "intro" else f"Note to {people}"


def _why(error: str) -> str:
    words = DELIVERY_ERRORS.get(error)
    if words:
        return f"{words} (`{error}`)"
    if error.replace("_", "").isalnum() and error.islower():
        return f"Slack kept refusing it (`{error}`)"
    return escape(error)  # our own reason, e.g. the pair ended before it was sent


def progress_text(status: RoundStatus) -> str:
    """Where publishing is: "214 of 500 introductions sent", then the summary."""
    p = status.progress or Progress()
    name = escape(status.program_name)
    if status.state == RoundState.PUBLISHED:
        unmatched = plural(p.notes, "unmatched person", "unmatched people")
        return (
            f"*Published* for *{name}*: {p.intros_sent:,} of {plural(p.intros, 'pair')} "
            f"introduced in group DMs; {p.notes_sent:,} of {unmatched} told they stay in the "
            "pool."
        )
    return (
        f"*Publishing* *{name}*: {p.intros_sent:,} of {plural(p.intros, 'introduction')} sent · "
        f"{p.notes_sent:,} of {plural(p.notes, 'note')} to the unmatched sent."
    )


def undelivered_text(progress: Progress) -> str | None:
    missing = progress.intros_undelivered + progress.notes_undelivered
    if not missing:
        return None
    lines = [f"*Not delivered ({missing:,}):*"]
    lines += [f"• {_who(u.kind, u.channel)}: {_why(u.error)}" for u in progress.undelivered]
    if missing > len(progress.undelivered):
        lines.append(f"…and {missing - len(progress.undelivered):,} more.")
    return clip("\n".join(lines))


def publishing_modal(status: RoundStatus) -> View:
    """Publishing as it goes, then its summary with anything that could not be delivered."""
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=progress_text(status)))]
    missing = undelivered_text(status.progress or Progress())
    if missing:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=missing)))
    if status.state == RoundState.PUBLISHING:
        blocks.append(
            _context(
                "Slack takes messages a few at a time; this updates as they go. You can close "
                "this window: progress stays in your App Home."
            )
        )
    return _modal(
        MatchMetadata(program_id=status.program_id, round_id=status.id),
        blocks,
        close="Done" if status.state == RoundState.PUBLISHED else "Close",
    )


def round_news(status: RoundStatus) -> tuple[str, list[Block]]:
    """The DM to a coordinator who closed the modal: the proposal is ready, or the solve
    failed."""
    name = escape(status.program_name)
    if status.state == RoundState.FAILED:
        text = f"Matching for {name} failed"
        body = (
            f":warning: *Matching failed* for *{name}*: "
            f"{escape(status.error or 'the solve stopped')}. Nothing was published."
        )
        button = ButtonElement(text="Match again", action_id=ActionId.OPEN_PROPOSAL)
    else:
        text = f"Your match proposal for {name} is ready"
        body = (
            f"*Your match proposal for {name} is ready:* {plural(status.pairs, 'pair')} "
            f"proposed, {plural(status.unmatched, 'person', 'people')} unmatched. "
            "Nothing is sent until you publish."
        )
        button = ButtonElement(
            text="Review the proposal", action_id=ActionId.OPEN_PROPOSAL, style="primary"
        )
    button.value = str(status.program_id)
    return text, [
        SectionBlock(text=MarkdownTextObject(text=body)),
        ActionsBlock(elements=[button]),
    ]


def round_line(status: RoundStatus) -> str:
    """The App Home's line about the latest round of matching."""
    if status.state == RoundState.SOLVING:
        return f"*Matching:* {plural(status.people, 'person', 'people')} being matched…"
    if status.state == RoundState.FAILED:
        return f"*Matching:* the last run failed: {escape(status.error or 'the solve stopped')}."
    if status.state == RoundState.READY:
        return (
            f"*Matching:* a proposal is ready for review: {plural(status.pairs, 'pair')}, "
            f"{plural(status.unmatched, 'person', 'people')} unmatched."
        )
    return progress_text(status)


def gap_words(gap: float) -> str:
    """How close the proposal is to the best possible under the rules, in words."""
    if gap < 0.0005:
        return "These pairs are *the best possible* under the rules."
    return f"These pairs are within *{gap:.1%}* of the best possible under the rules."


def proposal_modal(proposal: Proposal, *, notice: str | None = None) -> View:
    """The proposal for review: figures, pairs with reasons, the unmatched with reasons."""
    pairs, unmatched = proposal.pairs, proposal.unmatched
    pair_count, unmatched_count = proposal.total_pairs, proposal.total_unmatched
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*{escape(proposal.program_name)}*: "
                f"{plural(pair_count, 'pair')} proposed, "
                f"{plural(unmatched_count, 'person', 'people')} unmatched.\n"
                f"Top wanted topic covered for *{_percent(proposal.top_topic_covered)}* of "
                f"mentees · *{_percent(proposal.cross_department)}* of pairs cross departments."
                + (f"\n{gap_words(proposal.gap)}" if proposal.gap is not None else "")
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
                        text=f"{plural(pair_count, 'pair')} will be introduced in group DMs, "
                        f"and {plural(unmatched_count, 'unmatched person', 'unmatched people')} "
                        "told they stay in the pool.",
                        confirm="Publish",
                        deny="Not yet",
                    ),
                ),
            ]
        ),
        DividerBlock(),
    ]
    blocks += [_pair_block(pair) for pair in pairs[:PAIRS_SHOWN]]
    if pair_count > PAIRS_SHOWN:
        blocks.append(_context(f"…and {plural(pair_count - PAIRS_SHOWN, 'more pair')}."))
    if not pairs:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="No pairs to propose right now.")))
    if unmatched:
        blocks.append(HeaderBlock(text="Unmatched"))
        for user, reason in unmatched[:UNMATCHED_SHOWN]:
            blocks.append(
                SectionBlock(text=MarkdownTextObject(text=f"<@{user}>: {escape(reason)}"))
            )
        if unmatched_count > UNMATCHED_SHOWN:
            blocks.append(_context(f"…and {unmatched_count - UNMATCHED_SHOWN:,} more."))
    return _modal(
        MatchMetadata(program_id=proposal.program_id, round_id=proposal.round_id or 0), blocks
    )


def intro_message(pair: ProposedPair, program_name: str) -> tuple[str, list[Block]]:
    """The group DM introducing a new pair."""
    assert pair.mentor is not None and pair.mentee is not None
    mentor, mentee = f"<@{pair.mentor}>", f"<@{pair.mentee}>"
    reasons = "\n".join(f"• {escape(r)}" for r in pair.reasons)
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
