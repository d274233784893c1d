"""The close-out a pair gets in its group DM when its program ends."""

from __future__ import annotations

from slack_sdk.models.blocks import (
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
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="From now on the app stays quiet for this pair: no reminders, no "
                    "nudges, only a last short survey to each of you. Keep meeting "
                    "informally if you like. To take part again, run `/mentoring join` when "
                    "the next program opens, in the same role or the other one."
                )
            ]
        ),
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
