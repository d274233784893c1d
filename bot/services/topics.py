"""The topic catalog: digital skills reverse mentors share, business skills flowing back."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TopicKind(StrEnum):
    DIGITAL = "digital"
    BUSINESS = "business"


@dataclass(frozen=True)
class Topic:
    key: str
    label: str
    kind: TopicKind


CATALOG: tuple[Topic, ...] = (
    Topic("social_media", "Social media", TopicKind.DIGITAL),
    Topic("generative_ai", "Generative AI", TopicKind.DIGITAL),
    Topic("mobile_apps", "Mobile and apps", TopicKind.DIGITAL),
    Topic("collaboration_tools", "Collaboration tools", TopicKind.DIGITAL),
    Topic("data_analytics", "Data and analytics", TopicKind.DIGITAL),
    Topic("cybersecurity", "Cybersecurity habits", TopicKind.DIGITAL),
    Topic("younger_consumers", "Younger consumers' culture", TopicKind.DIGITAL),
    Topic("strategy", "Strategy", TopicKind.BUSINESS),
    Topic("leadership", "Leadership", TopicKind.BUSINESS),
    Topic("stakeholder_management", "Stakeholder management", TopicKind.BUSINESS),
    Topic("industry_practices", "Industry practices", TopicKind.BUSINESS),
    Topic("career_navigation", "Career navigation", TopicKind.BUSINESS),
)

TOPICS_BY_KEY: dict[str, Topic] = {t.key: t for t in CATALOG}


def topic_label(key: str) -> str:
    """Human label for a topic key (the key itself if the catalog no longer has it)."""
    topic = TOPICS_BY_KEY.get(key)
    return topic.label if topic else key


def topics_of_kind(kind: TopicKind) -> list[Topic]:
    return [t for t in CATALOG if t.kind == kind]
