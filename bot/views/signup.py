"""The sign-up / profile modal, and reading its state back into a ProfileInput."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import asdict
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.services.ground_rules import GROUND_RULES
from bot.services.profile import (
    MAX_EXCLUSIONS,
    MAX_MENTEE_CAPACITY,
    ProfileField,
    ProfileInput,
)
from bot.services.topics import CATALOG, TopicKind, topic_label, topics_of_kind
from bot.views.ids import RATING_BLOCK_PREFIX, ActionId, CallbackId, rating_block_id
from bot.views.metadata import SignupMetadata
from bot.views.text import escape
from models.enums import Cadence, CareerStage, Personality, Role
from models.participant import TEXT_FIELD_LENGTH

ROLE_LABELS = {
    Role.MENTOR: ("Reverse mentor", "I'll share digital skills"),
    Role.MENTEE: ("Mentee", "I want to learn them"),
    Role.BOTH: ("Both", "I can share some skills and want to learn others"),
}
CAREER_STAGE_LABELS = {
    CareerStage.EARLY: "Less than 3 years",
    CareerStage.DEVELOPING: "3 to 5 years",
    CareerStage.ESTABLISHED: "6 to 10 years",
    CareerStage.SENIOR: "11 to 20 years",
    CareerStage.VETERAN: "More than 20 years",
}
PERSONALITY_LABELS = {
    Personality.INTROVERT: ("Introvert", "I think before I speak and like one-to-one depth"),
    Personality.AMBIVERT: ("Ambivert", "Somewhere in between"),
    Personality.EXTROVERT: ("Extrovert", "I think out loud and get energy from people"),
}
CADENCE_LABELS = {
    Cadence.WEEKLY: "Every week",
    Cadence.BIWEEKLY: "Every two weeks",
    Cadence.MONTHLY: "Once a month",
}
RATING_LABELS = {
    1: "1 - New to it",
    2: "2 - I know the basics",
    3: "3 - Comfortable",
    4: "4 - Confident",
    5: "5 - I could teach it",
}
TOPIC_GROUP_LABELS = {
    TopicKind.DIGITAL: "Digital skills",
    TopicKind.BUSINESS: "Business experience",
}
CONSENT_VALUE = "agree"


def _option(value: str, label: str, description: str | None = None) -> Option:
    return Option(value=value, label=label, description=description)


def topic_option_groups() -> list[OptionGroup]:
    return [
        OptionGroup(
            label=TOPIC_GROUP_LABELS[kind],
            options=[_option(t.key, t.label) for t in topics_of_kind(kind)],
        )
        for kind in TopicKind
    ]


def _topic_options(keys: list[str]) -> list[Option] | None:
    known = {t.key for t in CATALOG}
    return [_option(k, topic_label(k)) for k in keys if k in known] or None


def _labelled(labels: dict[Any, str]) -> list[Option]:
    return [_option(str(value), label) for value, label in labels.items()]


def _described(labels: dict[Any, tuple[str, str]]) -> list[Option]:
    return [_option(str(value), label, desc) for value, (label, desc) in labels.items()]


def _pick(options: list[Option], value: object) -> Option | None:
    return next(
        (o for o in options if o.value == (str(value) if value is not None else None)), None
    )


def _text_input(field: ProfileField, label: str, value: str, placeholder: str) -> InputBlock:
    return InputBlock(
        block_id=field,
        label=label,
        element=PlainTextInputElement(
            action_id=field,
            initial_value=value or None,
            max_length=TEXT_FIELD_LENGTH,
            placeholder=placeholder,
        ),
    )


FORMS_KEPT = 256
_forms: OrderedDict[str, str] = OrderedDict()
_forms_lock = threading.Lock()


def signup_view(*, values: ProfileInput, metadata: SignupMetadata) -> dict[str, Any]:
    """`signup_modal` as Slack's JSON, drawn once for the same values and kept (the newest
    FORMS_KEPT). On launch day most forms are the same blank one, or the same topics chosen,
    and drawing Block Kit objects is most of the work of opening a form."""
    key = json.dumps([asdict(values), metadata.model_dump()], sort_keys=True, default=str)
    # Drawn under the lock: a crowd asking for the same new form at once waits for one drawing
    # instead of each drawing it.
    with _forms_lock:
        drawn = _forms.get(key)
        if drawn is None:
            drawn = json.dumps(signup_modal(values=values, metadata=metadata).to_dict())
            _forms[key] = drawn
            while len(_forms) > FORMS_KEPT:
                _forms.popitem(last=False)
        else:
            _forms.move_to_end(key)
    form: dict[str, Any] = json.loads(drawn)  # a copy of its own for each caller
    return form


def signup_modal(*, values: ProfileInput, metadata: SignupMetadata) -> View:
    """The sign-up form; pre-filled from `values` when editing or refreshing it."""
    program = escape(metadata.program_name)
    intro = (
        f"Update your profile for *{program}*. Changes apply to future matching."
        if metadata.editing
        else f"Sign up for *{program}*. Reverse mentors share digital skills with "
        "senior colleagues, who share business experience back."
    )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=intro)),
        *_about_you(values),
        DividerBlock(),
        *_topics(values),
        DividerBlock(),
        *_how_to_meet(values),
        DividerBlock(),
        *_ground_rules(values),
    ]
    return View(
        type="modal",
        callback_id=CallbackId.SIGNUP,
        title=PlainTextObject(
            text="Your mentoring profile" if metadata.editing else "Join reverse mentoring"
        ),
        submit=PlainTextObject(text="Save" if metadata.editing else "Join"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=metadata.dump(),
        blocks=blocks,
    )


def _about_you(values: ProfileInput) -> list[Block]:
    roles, stages = _described(ROLE_LABELS), _labelled(CAREER_STAGE_LABELS)
    return [
        InputBlock(
            block_id=ProfileField.ROLE,
            label="How would you like to take part?",
            element=RadioButtonsElement(
                action_id=ProfileField.ROLE, options=roles, initial_option=_pick(roles, values.role)
            ),
        ),
        _text_input(
            ProfileField.JOB_TITLE, "Job title", values.job_title, "e.g. Regional sales director"
        ),
        _text_input(ProfileField.DEPARTMENT, "Department", values.department, "e.g. Finance"),
        _text_input(
            ProfileField.LOCATION, "Location or region", values.location, "e.g. Lisbon, or EMEA"
        ),
        InputBlock(
            block_id=ProfileField.CAREER_STAGE,
            label="Years of work experience",
            element=StaticSelectElement(
                action_id=ProfileField.CAREER_STAGE,
                options=stages,
                initial_option=_pick(stages, values.career_stage),
                placeholder="Choose one",
            ),
        ),
    ]


def _topics(values: ProfileInput) -> list[Block]:
    """What the person teaches and learns, and a self-rating for each topic to learn."""
    blocks: list[Block] = [
        InputBlock(
            block_id=ProfileField.TEACH_TOPICS,
            label="Topics I can teach",
            optional=True,
            hint="Reverse mentors: the digital skills you can share. "
            "Mentees: the business experience you can share back.",
            element=StaticMultiSelectElement(
                action_id=ProfileField.TEACH_TOPICS,
                option_groups=topic_option_groups(),
                initial_options=_topic_options(values.teach_topics),
                placeholder="Choose topics",
            ),
        ),
        InputBlock(
            block_id=ProfileField.LEARN_TOPICS,
            label="Topics I want to learn",
            optional=True,
            dispatch_action=True,  # the self-rating fields below follow the topics chosen here
            hint="After choosing, rate your current level in each one below.",
            element=StaticMultiSelectElement(
                action_id=ProfileField.LEARN_TOPICS,
                option_groups=topic_option_groups(),
                initial_options=_topic_options(values.learn_topics),
                placeholder="Choose topics",
            ),
        ),
    ]
    ratings = _labelled(RATING_LABELS)
    for topic in values.learn_topics:
        if topic not in {t.key for t in CATALOG}:
            continue
        blocks.append(
            InputBlock(
                block_id=rating_block_id(topic),
                label=f"My level in {topic_label(topic)} today",
                element=StaticSelectElement(
                    action_id=ActionId.RATING,
                    options=ratings,
                    initial_option=_pick(ratings, values.self_ratings.get(topic)),
                    placeholder="Rate yourself 1 to 5",
                ),
            )
        )
    return blocks


def _how_to_meet(values: ProfileInput) -> list[Block]:
    personalities, cadences = _described(PERSONALITY_LABELS), _labelled(CADENCE_LABELS)
    capacities = [_option(str(n), str(n)) for n in range(1, MAX_MENTEE_CAPACITY + 1)]
    return [
        InputBlock(
            block_id=ProfileField.PERSONALITY,
            label="Which sounds most like you?",
            element=RadioButtonsElement(
                action_id=ProfileField.PERSONALITY,
                options=personalities,
                initial_option=_pick(personalities, values.personality),
            ),
        ),
        InputBlock(
            block_id=ProfileField.CADENCE,
            label="How often would you like to meet?",
            element=StaticSelectElement(
                action_id=ProfileField.CADENCE,
                options=cadences,
                initial_option=_pick(cadences, values.cadence),
                placeholder="Choose one",
            ),
        ),
        InputBlock(
            block_id=ProfileField.MENTEE_CAPACITY,
            label="How many mentees could you take on?",
            optional=True,
            hint="For reverse mentors. Most people take one.",
            element=StaticSelectElement(
                action_id=ProfileField.MENTEE_CAPACITY,
                options=capacities,
                initial_option=_pick(capacities, values.mentee_capacity),
            ),
        ),
        InputBlock(
            block_id=ProfileField.DO_NOT_MATCH,
            label="People I should not be matched with",
            optional=True,
            hint="For example your manager or your direct reports. They are never told.",
            element=UserMultiSelectElement(
                action_id=ProfileField.DO_NOT_MATCH,
                initial_users=values.do_not_match or None,
                max_selected_items=MAX_EXCLUSIONS,
                placeholder="Choose people",
            ),
        ),
    ]


def _ground_rules(values: ProfileInput) -> list[Block]:
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text="*Ground rules*\n" + "\n".join(f"• {rule}" for rule in GROUND_RULES)
            )
        ),
        InputBlock(
            block_id=ProfileField.CONSENT,
            label="Confidentiality",
            element=CheckboxesElement(
                action_id=ProfileField.CONSENT,
                options=[_option(CONSENT_VALUE, "I agree to the ground rules")],
                initial_options=[_option(CONSENT_VALUE, "I agree to the ground rules")]
                if values.consent
                else None,
            ),
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Your time zone comes from your Slack profile, so sessions and "
                    "reminders use your local time."
                )
            ]
        ),
    ]


def _enum_or_none(enum_cls: Any, value: str | None) -> Any:
    try:
        return enum_cls(value) if value is not None else None
    except ValueError:
        return None


def _int_or(value: str | None, default: int | None) -> int | None:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def parse_signup_state(state_values: dict[str, dict[str, dict[str, Any]]]) -> ProfileInput:
    """Read a sign-up modal's `view.state.values` (as Slack sends it) into a ProfileInput."""

    def element(block_id: str, action_id: str | None = None) -> dict[str, Any]:
        return state_values.get(block_id, {}).get(action_id or block_id) or {}

    def selected(block_id: str, action_id: str | None = None) -> str | None:
        option = element(block_id, action_id).get("selected_option") or {}
        return option.get("value")

    def selected_many(block_id: str) -> list[str]:
        options = element(block_id).get("selected_options") or []
        return [o["value"] for o in options if "value" in o]

    def text(block_id: str) -> str:
        return element(block_id).get("value") or ""

    ratings = {}
    for block_id in state_values:
        if block_id.startswith(RATING_BLOCK_PREFIX):
            rating = _int_or(selected(block_id, ActionId.RATING), None)
            if rating is not None:
                ratings[block_id[len(RATING_BLOCK_PREFIX) :]] = rating
    capacity = _int_or(selected(ProfileField.MENTEE_CAPACITY), 1)
    return ProfileInput(
        role=_enum_or_none(Role, selected(ProfileField.ROLE)),
        department=text(ProfileField.DEPARTMENT),
        location=text(ProfileField.LOCATION),
        job_title=text(ProfileField.JOB_TITLE),
        career_stage=_enum_or_none(CareerStage, selected(ProfileField.CAREER_STAGE)),
        teach_topics=selected_many(ProfileField.TEACH_TOPICS),
        learn_topics=selected_many(ProfileField.LEARN_TOPICS),
        self_ratings=ratings,
        personality=_enum_or_none(Personality, selected(ProfileField.PERSONALITY)),
        cadence=_enum_or_none(Cadence, selected(ProfileField.CADENCE)),
        mentee_capacity=capacity if capacity is not None else 1,
        do_not_match=list(element(ProfileField.DO_NOT_MATCH).get("selected_users") or []),
        consent=CONSENT_VALUE in selected_many(ProfileField.CONSENT),
    )


def errors_for_blocks(errors: dict[str, str], present_block_ids: set[str]) -> dict[str, str]:
    """Map field errors onto the modal's blocks; an error for a missing block lands on a near one.

    A rating error can only show on a rating block that exists: if the rating fields did not
    appear (the user submitted before the form refreshed), it is shown on the topic picker.
    """
    placed: dict[str, str] = {}
    for key, message in errors.items():
        if key in present_block_ids:
            placed.setdefault(key, message)
        elif key.startswith(RATING_BLOCK_PREFIX):
            placed.setdefault(
                ProfileField.LEARN_TOPICS,
                "Please rate your current level in each topic you want to learn: "
                "reopen this topic list to bring up the rating fields.",
            )
        else:
            placed.setdefault(ProfileField.ROLE, message)
    return placed
