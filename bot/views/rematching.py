"""A coordinator's hand-made pairs: the choice of a new partner, the swap to confirm, what
each comes to, and the note each person whose partner changes is sent."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    RadioButtonsElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.services.rematching import NewPair, RematchChoice, SwapPlan
from bot.views.ids import CallbackId, RematchBlock
from bot.views.metadata import ViewMetadata
from bot.views.text import escape, plural

PRIVATE = (
    "Nobody is told anything until you confirm. Then the new pair gets its introduction in "
    "a group DM, as after a round of matching."
)


class RematchMetadata(ViewMetadata):
    person_id: int = 0


class SwapMetadata(ViewMetadata):
    pair_ids: tuple[int, int] = (0, 0)


def option_value(participant_id: int, mentors: bool) -> str:
    return f"{participant_id}:{'mentor' if mentors else 'mentee'}"


def parse_option(value: str | None) -> tuple[int, bool] | None:
    """(participant id, whether they would mentor) of the chosen option."""
    try:
        participant, side = (value or "").split(":")
        return int(participant), side == "mentor"
    except ValueError:
        return None


def _reasons(reasons: list[str]) -> str:
    return "; ".join(reasons)


def rematch_modal(choice: RematchChoice) -> View:
    """The people who may be paired with the person now, best first, to choose one."""
    more = choice.eligible - len(choice.options)
    fewer = f" ({plural(more, 'more person', 'more people')} fit less well.)" if more else ""
    lines = [
        f"*{i}. <@{o.user_id}>* as {'reverse mentor' if o.mentors else 'mentee'} · "
        f"score {o.score:g}\n{_reasons(o.reasons)}"
        for i, o in enumerate(choice.options, start=1)
    ]
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"Who in *{escape(choice.program_name)}* can be paired with "
                f"<@{choice.user_id}> now, best first. Every one of them passes the matching "
                f"rules.{fewer}"
            )
        ),
        *(SectionBlock(text=MarkdownTextObject(text=line)) for line in lines),
        InputBlock(
            block_id=RematchBlock.PARTNER,
            label="New partner",
            element=RadioButtonsElement(
                action_id=RematchBlock.PARTNER,
                options=[
                    Option(
                        value=option_value(o.participant_id, o.mentors),
                        text=MarkdownTextObject(
                            text=f"{i}. <@{o.user_id}> ({'mentor' if o.mentors else 'mentee'})"
                        ),
                    )
                    for i, o in enumerate(choice.options, start=1)
                ],
            ),
        ),
        ContextBlock(elements=[MarkdownTextObject(text=PRIVATE)]),
    ]
    return View(
        type="modal",
        callback_id=CallbackId.REMATCH,
        title="New partner",
        submit="Pair them",
        close="Cancel",
        private_metadata=RematchMetadata(person_id=choice.person_id).dump(),
        blocks=blocks,
    )


def _pair_line(pair: NewPair) -> str:
    return f"<@{pair.mentor_user}> mentors <@{pair.mentee_user}>"


def swap_modal(plan: SwapPlan) -> View:
    """The two pairs now and after the swap, with the new pairs' scores and reasons."""
    (m1, e1), (m2, e2) = plan.before
    now = f"*Now*\n<@{m1}> mentors <@{e1}>\n<@{m2}> mentors <@{e2}>"
    after = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"{_pair_line(p)} · score {p.score:g}\n{_reasons(p.reasons)}"
            )
        )
        for p in plan.after
    ]
    return View(
        type="modal",
        callback_id=CallbackId.SWAP,
        title="Swap mentors",
        submit="Swap mentors",
        close="Cancel",
        private_metadata=SwapMetadata(pair_ids=plan.pair_ids).dump(),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=now)),
            SectionBlock(text=MarkdownTextObject(text="*After the swap*")),
            *after,
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text="Both new pairs pass the matching rules. Nobody is told anything "
                        "until you confirm; then each of the four gets a short note and each "
                        "new pair its introduction. Sessions booked by the old pairs no "
                        "longer get reminders."
                    )
                ]
            ),
        ],
    )


def done_modal(title: str, made: list[NewPair]) -> View:
    """What the coordinator reads once the change is made."""
    pairs = "\n".join(_pair_line(p) for p in made)
    which = "introduction is" if len(made) == 1 else "introductions are"
    return View(
        type="modal",
        title=title,
        close="Done",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"{pairs}\n\nTheir {which} on the way to their group DMs."
                )
            )
        ],
    )


def partner_changed_note(*, old_partner: str, new_partner: str) -> tuple[str, list[Block]]:
    """To each of the four people of a swap: kind, no reason, and who is next."""
    text = (
        f"The coordinators have changed reverse-mentoring partners around: from now on you "
        f"work with <@{new_partner}> instead of <@{old_partner}>. Thank you for the time you "
        f"gave; it says nothing about either of you. Your introduction to <@{new_partner}> "
        "follows in a group DM."
    )
    return text, [SectionBlock(text=MarkdownTextObject(text=text))]
