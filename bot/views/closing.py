"""The close-out a pair gets in its group DM when its program ends."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.services.pair_results import CloseOut
from bot.services.topics import topic_label
from bot.views.ids import ActionId
from bot.views.text import escape, plural
from models.enums import NextStep, Role


def closeout_message(summary: CloseOut) -> tuple[str, list[Block]]:
    """Sessions held, goals achieved, topics covered and each person's own growth; never a
    private note, never a rating of the partner."""
    program = escape(summary.program_name) or "The program"
    together = f"Together you held {plural(summary.sessions_held, 'session')}. Thank you both."
    text = f"{program} has come to an end. {together}"
    lines: list[str] = []
    if summary.goals_achieved:
        goals = "\n".join(f"• {escape(goal)}" for goal in summary.goals_achieved)
        lines.append(f"*Goals achieved ({len(summary.goals_achieved)}):*\n{goals}")
    else:
        lines.append("*Goals achieved:* none marked achieved")
    covered = ", ".join(topic_label(t) for t in summary.topics_covered)
    lines.append(f"*Topics covered:* {covered or 'none recorded in check-ins'}")
    if summary.growth:
        growth = "\n".join(
            f"• <@{g.user_id}>: {topic_label(g.topic)} {g.before} → {g.after}"
            for g in summary.growth
        )
        lines.append(f"*Skill growth (your own ratings, at sign-up → latest survey):*\n{growth}")
    heading = f"*{program} has come to an end.* {together}"
    return text, [
        SectionBlock(text=MarkdownTextObject(text=f"{heading}\n\n" + "\n".join(lines))),
        *_recognition_offer(summary.pair_id, summary.announcement_channel),
        SectionBlock(
            text=MarkdownTextObject(
                text="*What next?* Each of you can choose: keep meeting on your own, or be "
                "invited to the next program, in the same role or the other one."
            )
        ),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=NEXT_STEP_LABELS[step],
                    action_id=action,
                    value=str(summary.pair_id),
                )
                for step, action in NEXT_STEP_ACTIONS.items()
            ]
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="From now on the app stays quiet for this pair: no reminders, no "
                    "nudges, only a last short survey to each of you."
                )
            ]
        ),
    ]


NEXT_STEP_LABELS = {
    NextStep.INFORMAL: "Keep meeting informally",
    NextStep.NEXT: "Join the next program",
    NextStep.OTHER_ROLE: "Join it in the other role",
}
NEXT_STEP_ACTIONS = {
    NextStep.INFORMAL: ActionId.NEXT_STEP_INFORMAL,
    NextStep.NEXT: ActionId.NEXT_STEP_NEXT,
    NextStep.OTHER_ROLE: ActionId.NEXT_STEP_OTHER_ROLE,
}
ROLE_WORDS = {
    Role.MENTOR: "a reverse mentor",
    Role.MENTEE: "a mentee",
    Role.BOTH: "both a reverse mentor and a mentee",
}


def next_step_receipt(step: NextStep, role: Role) -> str:
    """What the person who chose reads (they can choose again: the last choice counts)."""
    if step == NextStep.INFORMAL:
        return (
            "Lovely. Keep meeting as you like: the app stays quiet for the two of you, and "
            "you will not be invited to the next program."
        )
    swapped = " with your topics the other way round" if step == NextStep.OTHER_ROLE else ""
    return (
        f"Noted. When the next program opens, you'll get a DM inviting you to join as "
        f"{ROLE_WORDS[role]}, with your answers from this time filled in{swapped}."
    )


def next_program_invite(
    *, program_name: str, role: Role, other_role: bool
) -> tuple[str, list[Block]]:
    """The DM a person who asked to come back gets when the next program opens."""
    program = escape(program_name)
    swapped = ", with your topics the other way round" if other_role else ""
    text = (
        f"{program} is open for sign-up. You asked to take part again, as {ROLE_WORDS[role]}: "
        f"your answers from last time are filled in{swapped}. Check them and send."
    )
    return text, [
        SectionBlock(
            text=MarkdownTextObject(text=text),
            accessory=ButtonElement(text="Join", action_id=ActionId.OPEN_SIGNUP, style="primary"),
        )
    ]


def _recognition_offer(pair_id: int, channel: str | None) -> list[Block]:
    if channel is None:
        return []
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"Would you like a short thank-you post in <#{channel}>, naming you both "
                "with your sessions held and goals achieved? It goes out only if you *both* "
                "say yes; no ratings, notes or survey answers are ever in it."
            ),
            accessory=ButtonElement(
                text="Yes, recognise us",
                action_id=ActionId.AGREE_TO_RECOGNITION,
                value=str(pair_id),
            ),
        )
    ]


def recognition_post(summary: CloseOut) -> tuple[str, list[Block]]:
    """The announcement: names, sessions held and goals achieved; never a rating."""
    people = " and ".join(f"<@{u}>" for u in (summary.mentor_user, summary.mentee_user) if u)
    goals = len(summary.goals_achieved)
    text = (
        f":tada: {people} completed reverse mentoring in {escape(summary.program_name)}: "
        f"{plural(summary.sessions_held, 'session')} held"
        + (f", {plural(goals, 'goal')} achieved." if goals else ".")
        + " Thank you both!"
    )
    return text, [SectionBlock(text=MarkdownTextObject(text=text))]


def recognition_receipt(*, channel: str | None, partner_user: str | None, both: bool) -> str:
    """What the person who said yes reads."""
    if channel is None:
        return "Thank you. This program has no announcement channel, so nothing will be posted."
    if both:
        return f"Thank you both: your recognition goes up in <#{channel}> shortly."
    partner = f"<@{partner_user}>" if partner_user else "your partner"
    return f"Thank you. The post goes up in <#{channel}> once {partner} says yes too."
