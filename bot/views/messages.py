"""Messages the app sends: help, sign-up confirmation."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.services.profile import ProfileInput
from bot.services.topics import topic_label
from bot.views.signup import CADENCE_LABELS, CAREER_STAGE_LABELS, PERSONALITY_LABELS, ROLE_LABELS
from bot.views.text import escape


@dataclass(frozen=True)
class HelpEntry:
    usage: str
    summary: str
    coordinators_only: bool = False


def help_blocks(
    entries: list[HelpEntry], *, unknown: str | None = None, more_for_coordinators: bool = False
) -> list[Block]:
    """The `/mentoring help` listing; `unknown` is a sub-command we did not recognise;
    `more_for_coordinators` when the reader is not one (their commands are not listed)."""
    blocks: list[Block] = []
    if unknown is not None:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"I don't know `{escape(unknown)}`. Here is what I can do:"
                )
            )
        )
    lines = [
        f"`{e.usage}` {e.summary}" + (" _(coordinators)_" if e.coordinators_only else "")
        for e in entries
    ]
    blocks.append(
        SectionBlock(
            text=MarkdownTextObject(text="*Reverse mentoring commands*\n" + "\n".join(lines))
        )
    )
    footer = "Only you can see this. Questions? Ask your program coordinator."
    if more_for_coordinators:
        footer += " Coordinators have more commands, listed for them here."
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=footer)]))
    return blocks


def help_text(entries: list[HelpEntry]) -> str:
    """Plain-text fallback for notifications."""
    return "Reverse mentoring commands: " + ", ".join(e.usage for e in entries)


def _topics(keys: list[str], ratings: dict[str, int] | None = None) -> str:
    if not keys:
        return "_none_"
    if ratings is None:
        return ", ".join(topic_label(k) for k in keys)
    return ", ".join(f"{topic_label(k)} ({ratings.get(k, '?')}/5)" for k in keys)


def profile_summary_fields(profile: ProfileInput) -> list[MarkdownTextObject]:
    """The profile as two-column section fields, user text escaped."""
    role = ROLE_LABELS[profile.role][0] if profile.role else "?"
    stage = CAREER_STAGE_LABELS[profile.career_stage] if profile.career_stage else "?"
    personality = PERSONALITY_LABELS[profile.personality][0] if profile.personality else "?"
    cadence = CADENCE_LABELS[profile.cadence] if profile.cadence else "?"
    pairs = [
        ("Role", role),
        ("Job title", escape(profile.job_title)),
        ("Department", escape(profile.department)),
        ("Location", escape(profile.location)),
        ("Experience", stage),
        ("Meeting", cadence),
        ("Can teach", _topics(profile.teach_topics)),
        ("Wants to learn", _topics(profile.learn_topics, profile.self_ratings)),
        ("Personality", personality),
        ("Not matched with", ", ".join(f"<@{u}>" for u in profile.do_not_match) or "_nobody_"),
    ]
    return [MarkdownTextObject(text=f"*{label}*\n{value}") for label, value in pairs]


def signup_confirmation(
    *, program_name: str, profile: ProfileInput, created: bool, timezone: str | None
) -> tuple[str, list[Block]]:
    """DM confirming a sign-up or a profile update: (notification text, blocks)."""
    program = escape(program_name)
    if created:
        title = "You're signed up for reverse mentoring"
        body = (
            f"Welcome to *{program}*! We'll let you know as soon as you're matched. "
            "Change anything with `/mentoring profile`."
        )
    else:
        title = "Your mentoring profile is updated"
        body = f"Your profile for *{program}* now reads as below. It applies to future matching."
    tz_note = (
        f"Times will be shown in your time zone, {escape(timezone)}."
        if timezone
        else "We couldn't read your time zone from Slack yet; we'll try again later."
    )
    blocks: list[Block] = [
        HeaderBlock(text=title),
        SectionBlock(text=MarkdownTextObject(text=body)),
        SectionBlock(fields=profile_summary_fields(profile)),
        ContextBlock(elements=[MarkdownTextObject(text=tz_note)]),
    ]
    return f"{title}: {program}", blocks
