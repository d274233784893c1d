"""Messages about a coordinator's change to a pair."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock


def pair_ended_note(*, partner_user: str | None) -> tuple[str, list[Block]]:
    """To each partner: kind, no reason, no blame."""
    partner = f"<@{partner_user}>" if partner_user else "your partner"
    text = (
        f"Your reverse-mentoring pairing with {partner} has come to a close. Thank you for the "
        "time and care you gave it. Pairings end for all sorts of reasons, and it says nothing "
        "about either of you. The coordinators may suggest a new partner; there is nothing you "
        "need to do now."
    )
    return text, [SectionBlock(text=MarkdownTextObject(text=text))]


def pair_ended_receipt(people: list[str]) -> str:
    """To the coordinator who ended it."""
    named = " & ".join(f"<@{u}>" for u in people) or "the pair"
    return (
        f"Ended the pair {named}. Each of them gets a kind note; the reason stays with "
        "coordinators (report and export)."
    )
