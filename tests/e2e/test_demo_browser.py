"""`mentorbot demo` in a real browser (Debian's Chromium, driven by Playwright): the whole
program, as people would go through it, in the local workspace.

A visitor signs up through the form (meeting an inline error first); the coordinator posts an
interest poll and people vote; the coordinator matches and publishes; the pair finds its
introduction, books a session, skips ahead to the 24-hour reminder (each in their own time
zone), checks in after the session; the coordinator reads the report and its chart.
Screenshots go to MENTORBOT_SCREENSHOTS (or the test's temporary folder); the times a person
waits (page load, click to answer) are printed and saved beside them, never asserted.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bot.localslack.browser import LocalWorkspace
from bot.localslack.demo import Demo, start_demo
from models import MentoringSession, Pair, Participant
from models.enums import PairStatus
from tests.fakeslack import SlackChecks

pytestmark = pytest.mark.needs_contract

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 15_000


class CheckedWorkspace(SlackChecks, LocalWorkspace):
    """The demo's workspace, checking every call against Slack's method descriptions."""


def _browser_or_skip() -> Any:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs Chromium at {CHROMIUM} for the browser test")
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian's chromium package)")
    return playwright


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    running = start_demo(
        database=tmp_path / "demo.db", port=0, fresh=True, workspace_class=CheckedWorkspace
    )
    yield running
    running.close()
    assert running.workspace.violations == [], running.workspace.violations


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("MENTORBOT_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Visitor:
    """A person at the page: who they are, where they look, what they type and click."""

    def __init__(self, page: Any, shots: Path) -> None:
        self.page, self.shots = page, shots
        self.timings: dict[str, list[float]] = {}

    def timed(self, name: str, started: float) -> None:
        self.timings.setdefault(name, []).append(round((time.perf_counter() - started) * 1000, 1))

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{name}.png"))

    def become(self, user: str) -> None:
        self.page.select_option("#who", user)
        self.page.wait_for_function(f"document.querySelector('#who').value === {json.dumps(user)}")

    def go(self, label: str) -> None:
        self.page.locator("#sidebar a.conv", has_text=label).first.click()
        self.page.wait_for_selector(f"#title:has-text({json.dumps(label)})", timeout=WAIT_MS)

    def say(self, text: str) -> None:
        self.page.fill("#compose", text)
        self.page.press("#compose", "Enter")

    def modal_open(self, title: str) -> Any:
        self.page.wait_for_selector(
            f"#modal-overlay:not(.hidden) #modal-title:has-text({json.dumps(title)})",
            timeout=WAIT_MS,
        )
        return self.page.locator("#modal-body")

    def field(self, block_id: str, tag: str = "input, textarea, select") -> Any:
        return self.page.locator(f'#modal-body [data-block-id="{block_id}"]').locator(tag).first

    def sees(self, text: str, where: str = "#messages", timeout: int = WAIT_MS) -> None:
        self.page.locator(where).get_by_text(text, exact=False).first.wait_for(timeout=timeout)

    def submit(self) -> None:
        self.page.click("#modal-submit")

    def button(self, label: str, where: str = "#messages") -> Any:
        return self.page.locator(where).locator("button", has_text=label).last


def test_the_whole_program_in_the_browser(demo: Demo, shots: Path) -> None:
    playwright = _browser_or_skip()
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        visitor = Visitor(page, shots)
        try:
            walk_through(visitor, demo)
        except Exception:
            visitor.shot("failed-here")  # what the person saw when it went wrong
            raise
        finally:
            browser.close()


def walk_through(v: Visitor, demo: Demo) -> None:
    page = v.page
    started = time.perf_counter()
    page.goto(demo.url + "/")
    page.wait_for_selector("#messages .empty, #messages .message", timeout=WAIT_MS)
    v.timed("page_load_ms", started)
    _sign_up(v)
    _poll(v)
    _match(v)
    mentee = _book_and_remind(v, demo)
    _check_in(v, mentee)
    _report(v, demo)


def _sign_up(v: Visitor) -> None:
    """Zoe signs up, and meets an inline error first."""
    page = v.page
    v.become("U0ZOE")
    started = time.perf_counter()
    v.say("/mentoring join")
    v.modal_open("Join reverse mentoring")
    v.timed("command_to_form_ms", started)
    page.check('#modal-body [data-block-id="role"] input[value="mentor"]')
    v.field("job_title").fill("Graduate trainee")
    v.field("department").fill("Sales")
    v.field("location").fill("Berlin")
    v.field("career_stage").select_option("0-2")
    v.field("teach_topics").select_option(["social_media", "generative_ai"])
    started = time.perf_counter()
    v.field("learn_topics").select_option(["leadership"])
    page.wait_for_selector('#modal-body [data-block-id="rating:leadership"]', timeout=WAIT_MS)
    v.timed("choice_to_form_redrawn_ms", started)
    v.field("rating:leadership").select_option("2")
    page.check('#modal-body [data-block-id="personality"] input[value="extrovert"]')
    v.field("cadence").select_option("biweekly")
    v.submit()  # no consent yet
    page.wait_for_selector('#modal-body [data-block-id="consent"] .error', timeout=WAIT_MS)
    v.shot("01-signup-inline-error")
    page.check('#modal-body [data-block-id="consent"] input[type="checkbox"]')
    started = time.perf_counter()
    v.submit()
    page.wait_for_selector("#modal-overlay.hidden", state="attached", timeout=WAIT_MS)
    v.timed("submit_to_closed_ms", started)
    v.go("Messages")
    v.sees("You're signed up")


def _poll(v: Visitor) -> None:
    """The coordinator asks #general who would take part; people vote."""
    v.become("U0DANA")
    v.go("#general")
    v.say("/mentoring poll #general")
    v.sees("Poll posted in")
    for user, answer in (("U0KAI", "I'd mentor"), ("U0HELEN", "I'd like a mentor")):
        v.become(user)
        v.go("#general")
        started = time.perf_counter()
        v.button(answer).click()
        v.sees("Thanks")
        v.timed("vote_to_receipt_ms", started)
    v.become("U0DANA")
    v.go("#general")
    v.sees("2 people answered")
    v.shot("02-poll")


def _match(v: Visitor) -> None:
    """Matching, reviewed then published."""
    page = v.page
    started = time.perf_counter()
    v.say("/mentoring match")
    v.modal_open("Match proposal")
    v.timed("match_command_to_modal_ms", started)
    v.sees("pairs proposed", "#modal-body")
    v.shot("03-match-review")
    v.button("Publish", "#modal-body").click()
    page.wait_for_selector("#confirm-overlay:not(.hidden)", timeout=WAIT_MS)
    page.click("#confirm-ok")
    v.sees("Publishing", "#modal-body")
    v.sees("Published", "#modal-body", timeout=30_000)  # the dispatcher, every few seconds
    v.shot("04-published")
    page.click("#modal-close")


def _book_and_remind(v: Visitor, demo: Demo) -> str:
    """The pair: introduction, a booked session, the reminder in each one's time zone."""
    page = v.page
    with demo.jobs.session_factory() as s:
        pair = s.scalars(
            select(Pair)
            .where(Pair.status == PairStatus.ACTIVE)
            .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
            .order_by(Pair.id)
        ).first()
        assert pair is not None and pair.mentor is not None and pair.mentee is not None
        mentor = (pair.mentor.slack_user_id, pair.mentor.timezone)
        mentee = (pair.mentee.slack_user_id, pair.mentee.timezone)
    people = demo.workspace.users
    v.become(mentee[0])
    v.go(people[mentor[0]].display_name)
    v.sees("Meet your reverse-mentoring partner")
    v.shot("05-introduction")

    v.say("/mentoring schedule")
    v.modal_open("Schedule a session")
    # A day and a half ahead: once the clock skips a day, the 24-hour reminder is due and the
    # 1-hour one not yet, whatever the time of day the test runs at.
    starts = demo.jobs.clock.now() + timedelta(hours=36)
    local_start = starts.astimezone(ZoneInfo(mentee[1] or "UTC"))
    v.field("day").fill(f"{local_start:%Y-%m-%d}")
    v.field("clock").fill(f"{local_start:%H}:00")
    v.submit()
    page.wait_for_selector("#modal-overlay.hidden", state="attached", timeout=WAIT_MS)
    with demo.jobs.session_factory() as s:
        booked = s.scalars(select(MentoringSession)).one()
        starts_at = booked.starts_at
    # The booking puts a calendar invite in the pair's group DM; it downloads as a file.
    invite = page.locator('#messages a.file.download[download$=".ics"]').first
    invite.wait_for(timeout=WAIT_MS)
    with page.expect_download() as downloaded:
        invite.click()
    assert "BEGIN:VCALENDAR" in Path(downloaded.value.path()).read_text()

    started = time.perf_counter()
    page.locator("#skip button", has_text="1 day").click()
    v.sees("Skipped ahead", "#toast", timeout=60_000)
    v.timed("skip_one_day_ms", started)
    for user, zone in (mentee, mentor):
        local = starts_at.astimezone(ZoneInfo(zone or "UTC"))
        v.become(user)
        v.go("Messages")
        # The 24-hour reminder, in each person's own time zone.
        v.sees(f"{local:%a} {local.day} {local:%b}, {local:%H:%M} {local.tzname()}")
    v.shot("06-reminder")
    return mentee[0]


def _check_in(v: Visitor, mentee: str) -> None:
    """After the session: the check-in."""
    page = v.page
    page.locator("#skip button", has_text="to the next session").click()
    v.sees("Skipped ahead", "#toast", timeout=60_000)
    v.become(mentee)
    v.go("Messages")
    v.button("It happened").click()
    v.modal_open("Check in")
    page.locator(
        '#modal-body [data-block-id="rating"] input, #modal-body [data-block-id="rating"] select'
    ).first.wait_for()
    rating = v.field("rating", "select, input")
    if rating.evaluate("e => e.tagName") == "SELECT":
        rating.select_option("5")
    else:
        page.check('#modal-body [data-block-id="rating"] input[value="5"]')
    v.submit()
    page.wait_for_selector("#modal-overlay.hidden", state="attached", timeout=WAIT_MS)


def _report(v: Visitor, demo: Demo) -> None:
    """The coordinator's report and chart."""
    page = v.page
    v.become("U0DANA")
    v.go("Messages")
    v.say("/mentoring stats")
    v.sees("Program report")
    v.say("/mentoring stats chart")
    page.wait_for_selector("#messages figure.file img", timeout=WAIT_MS)
    v.shot("07-stats-chart")
    v.say("/mentoring export")
    export = page.locator('#messages a.file.download[download$=".csv"]').first
    export.wait_for(timeout=WAIT_MS)
    with page.expect_download() as downloaded:
        export.click()
    assert downloaded.value.suggested_filename.endswith(".csv")
    assert Path(downloaded.value.path()).read_bytes().count(b"\n") >= 2
    with demo.jobs.session_factory() as s:
        assert s.scalars(select(Participant).where(Participant.slack_user_id == "U0ZOE")).one()

    report = {
        name: {"median": sorted(ms)[len(ms) // 2], "max": max(ms)} for name, ms in v.timings.items()
    }
    (v.shots / "timings.json").write_text(json.dumps(report, indent=2))
    print("browser timings (ms):", json.dumps(report))  # noqa: T201
