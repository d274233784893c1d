"""The interest poll message and the DMs that follow a vote."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
    StaticMultiSelectElement,
)

from bot.services.polls import PollTallies
from bot.services.topics import CATALOG, topic_label
from bot.views.ids import POLL_VOTE_PREFIX, ActionId
from bot.views.signup import topic_option_groups
from models.enums import PollAnswer

QUESTION = "Would you take part in reverse mentoring?"
TOPICS_QUESTION = "Which topics matter most?"
ANSWER_LABELS = {
    PollAnswer.MENTOR: "I'd mentor",
    PollAnswer.MENTEE: "I'd like a mentor",
    PollAnswer.MORE: "Tell me more",
    PollAnswer.NO: "Not for me",
}
TOP_TOPICS_SHOWN = 5


def poll_vote_value(poll_id: int, answer: PollAnswer) -> str:
    return f"{poll_id}:{answer}"


def topics_block_id(poll_id: int) -> str:
    return f"poll_topics:{poll_id}"


def tally_lines(tallies: PollTallies) -> str:
    """Counts only, never names."""
    answers = "  ·  ".join(f"*{ANSWER_LABELS[a]}* {tallies.answers[a]}" for a in PollAnswer)
    people = "person" if tallies.respondents == 1 else "people"
    text = f"{answers}\n{tallies.respondents} {people} answered"
    if tallies.topics:
        top = list(tallies.topics.items())[:TOP_TOPICS_SHOWN]
        text += "\nTopics that matter most: " + ", ".join(f"{topic_label(t)} ({n})" for t, n in top)
    return text


def poll_message(poll_id: int, tallies: PollTallies, *, closed: bool) -> tuple[str, list[Block]]:
    """The poll as posted (and updated with live tallies); a closed poll keeps its final counts."""
    blocks: list[Block] = [
        HeaderBlock(text=QUESTION),
        SectionBlock(
            text=MarkdownTextObject(
                text="In reverse mentoring, colleagues early in their careers coach senior "
                "colleagues on technology, social media, AI and younger customers, and learn "
                "business experience in return. Your answer is private: only totals are shown."
            )
        ),
    ]
    if not closed:
        blocks += [
            ActionsBlock(
                block_id=f"poll_answers:{poll_id}",
                elements=[
                    ButtonElement(
                        text=ANSWER_LABELS[answer],
                        action_id=POLL_VOTE_PREFIX + answer,
                        value=poll_vote_value(poll_id, answer),
                        style="primary"
                        if answer in (PollAnswer.MENTOR, PollAnswer.MENTEE)
                        else None,
                    )
                    for answer in PollAnswer
                ],
            ),
            SectionBlock(
                block_id=topics_block_id(poll_id),
                text=MarkdownTextObject(text=f"*{TOPICS_QUESTION}*"),
                accessory=StaticMultiSelectElement(
                    action_id=ActionId.POLL_TOPICS,
                    placeholder="Choose topics",
                    option_groups=topic_option_groups(),
                    max_selected_items=len(CATALOG),
                ),
            ),
        ]
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=tally_lines(tallies))]))
    if closed:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text="This poll is closed. Thank you!")])
        )
    counts = ", ".join(f"{ANSWER_LABELS[a]} {tallies.answers[a]}" for a in PollAnswer)
    status = "Poll closed" if closed else QUESTION
    return f"{status} ({counts})", blocks


PROGRAM_EXPLANATION = (
    "*How reverse mentoring works*\n"
    "• A reverse mentor (earlier in their career) and a mentee (a senior colleague) meet "
    "regularly, usually every two weeks for 45 minutes, for a few months.\n"
    "• The mentee learns digital skills: social media, generative AI, apps, data, security "
    "habits, and how younger customers think. The mentor learns how the business really "
    "works: strategy, leadership, stakeholders, careers.\n"
    "• Pairs are matched on topics, across departments and time zones, never inside a "
    "reporting line. What you discuss stays between you.\n"
    "• You can pause or leave at any time, no reason needed."
)


def _signup_button(label: str) -> ActionsBlock:
    return ActionsBlock(
        elements=[ButtonElement(text=label, action_id=ActionId.OPEN_SIGNUP, style="primary")]
    )


def poll_follow_up(answer: PollAnswer) -> tuple[str, list[Block]]:
    """The DM after a vote: an invitation to sign up, or an explanation of the program."""
    if answer == PollAnswer.MORE:
        text = "Here's how reverse mentoring works"
        blocks: list[Block] = [
            SectionBlock(text=MarkdownTextObject(text=PROGRAM_EXPLANATION)),
            SectionBlock(
                text=MarkdownTextObject(text="Like the sound of it? Sign-up takes two minutes.")
            ),
            _signup_button("Sign up"),
        ]
        return text, blocks
    role = "a reverse mentor" if answer == PollAnswer.MENTOR else "a mentee"
    text = f"Thanks for your interest in being {role}!"
    blocks = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*{text}* Sign up now and you'll be in the pool when pairs are matched. "
                "It takes two minutes."
            )
        ),
        _signup_button("Sign up"),
        ContextBlock(elements=[MarkdownTextObject(text="Or type `/mentoring join` any time.")]),
    ]
    return text, blocks


def vote_receipt(answer: PollAnswer) -> str:
    return (
        f"Thanks, your answer is counted: *{ANSWER_LABELS[answer]}*. "
        "Only you can see this, and you can change your answer at any time."
    )
