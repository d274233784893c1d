"""A synthetic workforce for matching benchmarks and tests.

A realistic mix: reverse mentors early in their careers who teach digital topics, senior
mentees who want them and teach business topics back, some "both"; twelve departments, twenty
cities in three regions with their time zones, personalities, cadences, mentor capacities,
interest-poll topic demand, and a few do-not-match requests.
"""

from __future__ import annotations

import numpy as np

from bot.services.matching import weights as W
from bot.services.matching.engine import Pool
from bot.services.topics import CATALOG, TopicKind

DIGITAL = [i for i, t in enumerate(CATALOG) if t.kind == TopicKind.DIGITAL]
BUSINESS = [i for i, t in enumerate(CATALOG) if t.kind == TopicKind.BUSINESS]
# (UTC offset, region) for twenty cities: the Americas, EMEA, Asia-Pacific.
CITIES = [
    (-8, 0),
    (-7, 0),
    (-6, 0),
    (-5, 0),
    (-5, 0),
    (-3, 0),
    (0, 1),
    (0, 1),
    (1, 1),
    (1, 1),
    (1, 1),
    (2, 1),
    (3, 1),
    (4, 1),
    (5.5, 2),
    (8, 2),
    (8, 2),
    (9, 2),
    (10, 2),
    (10, 2),
]
CITY_WEIGHTS = np.array([4, 2, 3, 6, 4, 2, 7, 3, 6, 5, 4, 3, 2, 2, 6, 5, 3, 3, 2, 1], float)


def synthetic_pool(size: int, seed: int = 0) -> Pool:
    """`size` people drawn from the mix above, reproducible for a given seed."""
    rng = np.random.default_rng(seed)
    role = rng.choice(3, size=size, p=[0.45, 0.45, 0.10])  # mentor, mentee, both
    can_mentor, can_mentee = role != 1, role != 0
    stage = np.where(
        role == 0,
        rng.choice(5, size=size, p=[0.55, 0.35, 0.1, 0, 0]),
        np.where(
            role == 1,
            rng.choice(5, size=size, p=[0, 0.05, 0.2, 0.4, 0.35]),
            rng.choice(5, size=size, p=[0.1, 0.3, 0.4, 0.2, 0]),
        ),
    ).astype(np.int8)
    city = rng.choice(len(CITIES), size=size, p=CITY_WEIGHTS / CITY_WEIGHTS.sum())
    tz = np.array([CITIES[c][0] for c in city], dtype=np.float32)
    topics = len(CATALOG)
    teach = np.zeros((size, topics), dtype=bool)
    need = np.zeros((size, topics), dtype=np.float32)
    for person in range(size):
        if can_mentor[person]:
            teach[person, rng.choice(DIGITAL, size=rng.integers(2, 5), replace=False)] = True
            wants = rng.choice(BUSINESS, size=rng.integers(0, 3), replace=False)
            need[person, wants] = (6 - rng.integers(1, 4, size=len(wants))) / 5
        if can_mentee[person]:
            wants = [
                t
                for t in rng.choice(DIGITAL, size=rng.integers(1, 4), replace=False)
                if not teach[person, t]
            ] or [t for t in DIGITAL if not teach[person, t]][:1]
            need[person, wants] = (6 - rng.integers(1, 4, size=len(wants))) / 5
            teach[person, rng.choice(BUSINESS, size=rng.integers(1, 4), replace=False)] = True
    demand = rng.dirichlet(np.ones(topics))
    forbidden = set()
    for person in rng.choice(size, size=size // 50, replace=False):
        other = int(rng.integers(size))
        forbidden |= {(int(person), other), (other, int(person))}
    return Pool(
        can_mentor=can_mentor,
        can_mentee=can_mentee,
        stage=stage,
        tz_offset=tz,
        department=rng.integers(0, 12, size=size).astype(np.int32),
        region=np.array([CITIES[c][1] * 100 + c for c in city], dtype=np.int32),
        personality=rng.integers(0, 3, size=size).astype(np.int8),
        cadence=rng.choice(3, size=size, p=[0.3, 0.5, 0.2]).astype(np.int8),
        capacity=np.where(
            can_mentor, rng.choice([1, 2, 3], size=size, p=[0.7, 0.25, 0.05]), 0
        ).astype(np.int8),
        teach=teach,
        need=need,
        topic_weight=(1 + W.DEMAND * demand).astype(np.float32),
        forbidden=forbidden,
    )
