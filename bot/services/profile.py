"""What the sign-up form collects, and the rules a submission must meet."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from bot.services.topics import TOPICS_BY_KEY, topic_label
from models.enums import Cadence, CareerStage, Personality, Role
from models.participant import TEXT_FIELD_LENGTH

MAX_MENTEE_CAPACITY = 3
MAX_EXCLUSIONS = 20
RATING_MIN, RATING_MAX = 1, 5
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")


class ProfileField(StrEnum):
    ROLE = "role"
    DEPARTMENT = "department"
    LOCATION = "location"
    JOB_TITLE = "job_title"
    CAREER_STAGE = "career_stage"
    TEACH_TOPICS = "teach_topics"
    LEARN_TOPICS = "learn_topics"
    PERSONALITY = "personality"
    CADENCE = "cadence"
    MENTEE_CAPACITY = "mentee_capacity"
    DO_NOT_MATCH = "do_not_match"
    CONSENT = "consent"


RATING_PREFIX = "rating:"


def rating_field(topic: str) -> str:
    """Error key for the self-rating of one topic to learn."""
    return f"{RATING_PREFIX}{topic}"


@dataclass
class ProfileInput:
    """A sign-up form as submitted; fields the user left empty are None or empty."""

    role: Role | None = None
    department: str = ""
    location: str = ""
    job_title: str = ""
    career_stage: CareerStage | None = None
    teach_topics: list[str] = field(default_factory=list)
    learn_topics: list[str] = field(default_factory=list)
    self_ratings: dict[str, int] = field(default_factory=dict)
    personality: Personality | None = None
    cadence: Cadence | None = None
    mentee_capacity: int = 1
    do_not_match: list[str] = field(default_factory=list)
    consent: bool = False

    @property
    def teaches(self) -> bool:
        return self.role in (Role.MENTOR, Role.BOTH)

    @property
    def learns(self) -> bool:
        return self.role in (Role.MENTEE, Role.BOTH)


def _text_error(value: str, what: str) -> str | None:
    if not value.strip():
        return f"Please tell us your {what}."
    if len(value.strip()) > TEXT_FIELD_LENGTH:
        return (
            f"Please keep this under {TEXT_FIELD_LENGTH} characters (it has {len(value.strip())})."
        )
    return None


def validate_profile(profile: ProfileInput) -> dict[str, str]:
    """Return a message per field that breaks a rule; empty when the form may be saved."""
    return _about_errors(profile) | _topic_errors(profile) | _matching_errors(profile)


def _about_errors(profile: ProfileInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if profile.role is None:
        errors[ProfileField.ROLE] = "Please choose how you'd like to take part."
    for name, what in (
        (ProfileField.DEPARTMENT, "department"),
        (ProfileField.LOCATION, "location or region"),
        (ProfileField.JOB_TITLE, "job title"),
    ):
        message = _text_error(getattr(profile, name), what)
        if message:
            errors[name] = message
    if profile.career_stage is None:
        errors[ProfileField.CAREER_STAGE] = "Please choose your years of experience."
    if profile.personality is None:
        errors[ProfileField.PERSONALITY] = "Please choose the option closest to you."
    if profile.cadence is None:
        errors[ProfileField.CADENCE] = "Please choose how often you'd like to meet."
    return errors


def _topic_errors(profile: ProfileInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    unknown = [t for t in profile.teach_topics + profile.learn_topics if t not in TOPICS_BY_KEY]
    if unknown:
        errors[ProfileField.TEACH_TOPICS] = "Please choose topics from the list."
    elif profile.teaches and not profile.teach_topics:
        errors[ProfileField.TEACH_TOPICS] = (
            "As a reverse mentor, choose at least one topic to share."
        )
    overlap = sorted(set(profile.teach_topics) & set(profile.learn_topics))
    if profile.learns and not profile.learn_topics:
        errors[ProfileField.LEARN_TOPICS] = "As a mentee, choose at least one topic to learn."
    elif overlap:
        names = ", ".join(topic_label(t) for t in overlap)
        errors[ProfileField.LEARN_TOPICS] = f"You chose {names} to both teach and learn: pick one."
    for topic in profile.learn_topics:
        rating = profile.self_ratings.get(topic)
        if rating is None or not RATING_MIN <= rating <= RATING_MAX:
            errors[rating_field(topic)] = "Please rate yourself from 1 to 5."
    return errors


def _matching_errors(profile: ProfileInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not 1 <= profile.mentee_capacity <= MAX_MENTEE_CAPACITY:
        errors[ProfileField.MENTEE_CAPACITY] = f"Choose between 1 and {MAX_MENTEE_CAPACITY}."
    if len(profile.do_not_match) > MAX_EXCLUSIONS:
        errors[ProfileField.DO_NOT_MATCH] = f"Please list at most {MAX_EXCLUSIONS} people."
    elif not all(SLACK_USER_ID.match(u) for u in profile.do_not_match):
        errors[ProfileField.DO_NOT_MATCH] = "Please choose people from the list."
    if not profile.consent:
        errors[ProfileField.CONSENT] = "Please agree to the ground rules to take part."
    return errors
