"""The App Home tab."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.services.profile import ProfileInput
from bot.views.ids import ActionId
from bot.views.messages import profile_summary_fields
from bot.views.text import escape


def home_view(*, program_name: str, profile: ProfileInput | None) -> View:
    """Home for one person: their profile when signed up, else what the program is and a way in."""
    program = escape(program_name)
    blocks: list[Block] = [HeaderBlock(text="Reverse mentoring")]
    if profile is None:
        blocks += [
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*{program}* pairs digital natives with senior colleagues. "
                    "Reverse mentors coach on technology, social media, AI and younger "
                    "customers' culture; mentees share business experience back."
                )
            ),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Join the program", action_id=ActionId.OPEN_SIGNUP, style="primary"
                    )
                ]
            ),
        ]
    else:
        blocks += [
            SectionBlock(text=MarkdownTextObject(text=f"You're signed up for *{program}*.")),
            SectionBlock(fields=profile_summary_fields(profile)),
            ActionsBlock(
                elements=[ButtonElement(text="Edit my profile", action_id=ActionId.OPEN_SIGNUP)]
            ),
        ]
    blocks.append(
        ContextBlock(
            elements=[MarkdownTextObject(text="Type `/mentoring help` for every command.")]
        )
    )
    return View(type="home", blocks=blocks)
