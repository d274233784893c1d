"""Every callback_id, action_id and block_id the app uses, in one place."""

from __future__ import annotations

from enum import StrEnum

from bot.services.agreements import AgreementField, GoalField, goal_field
from bot.services.checkins import CheckInField
from bot.services.profile import RATING_PREFIX, ProfileField, rating_field
from bot.services.sessions import SessionField
from bot.services.surveys import SurveyField, survey_rating_field


class CallbackId(StrEnum):
    SIGNUP = "signup"
    PROGRAM = "program"
    MATCH_REVIEW = "match_review"
    GOALS = "goals"
    SCHEDULE_SESSION = "schedule_session"
    CANCEL_SESSION = "cancel_session"
    CHECK_IN = "check_in"
    SURVEY = "survey"
    CONCERN = "concern"
    REMATCH = "rematch"
    SWAP = "swap_mentors"


class ActionId(StrEnum):
    # Sign-up form: one element per block, so the action id names the field it carries.
    RATING = "rating"
    OPEN_SIGNUP = "open_signup"
    # Poll buttons are POLL_VOTE_PREFIX + answer; the topic picker is POLL_TOPICS.
    POLL_TOPICS = "poll_topics"
    FORGET_ME_CONFIRM = "forget_me_confirm"
    PAUSE = "pause"
    RESUME = "resume"
    EDIT_PROGRAM = "edit_program"
    NEW_PROGRAM = "new_program"
    MATCH_PAIR_MENU = "match_pair_menu"
    MATCH_RERUN = "match_rerun"
    MATCH_PUBLISH = "match_publish"
    # Opens the latest round of matching (DM, App Home); the value is the program id.
    OPEN_PROPOSAL = "open_proposal"
    # Opens the goals and ground rules form; the button's value is the pair id.
    START_GOALS = "start_goals"
    # A goal's menu in the goals list: values are "<GoalStatus>:<goal id>".
    GOAL_MENU = "goal_menu"
    ACKNOWLEDGE_CONCERN = "acknowledge_concern"
    # Sessions: the button's value names the pair (schedule) or the session (the others).
    SCHEDULE_SESSION = "schedule_session"
    # The close-out's "recognise us" button; the value is the pair id.
    AGREE_TO_RECOGNITION = "agree_to_recognition"
    # The close-out's "what next?" buttons (NEXT_STEP_PREFIX + the choice); value: pair id.
    NEXT_STEP_INFORMAL = "next_step_informal"
    NEXT_STEP_NEXT = "next_step_next"
    NEXT_STEP_OTHER_ROLE = "next_step_other_role"
    MOVE_SESSION = "move_session"
    CANCEL_SESSION = "cancel_session"
    CHECKIN_HAPPENED = "checkin_happened"
    CHECKIN_RESCHEDULED = "checkin_rescheduled"
    CHECKIN_CANCELLED = "checkin_cancelled"
    OPEN_SURVEY = "open_survey"  # value: "<pair id>:<midpoint|final>"


# The session, check-in and survey forms' blocks are named after the fields they collect.
SessionBlock = SessionField
CheckInBlock = CheckInField
SurveyBlock = SurveyField
survey_rating_block_id = survey_rating_field


POLL_VOTE_PREFIX = "poll_vote_"
NEXT_STEP_PREFIX = "next_step_"


class RematchBlock(StrEnum):
    PARTNER = "rematch_partner"


class ConcernBlock(StrEnum):
    TEXT = "concern_text"
    ACKNOWLEDGE = "concern_acknowledge"


# Sign-up form blocks are named after the profile fields they collect.
SignupBlock = ProfileField
RATING_BLOCK_PREFIX = RATING_PREFIX
rating_block_id = rating_field


# The goals form's blocks are named after the fields they collect (goal rows by position).
GoalsBlock = AgreementField
GoalRowField = GoalField
goal_block_id = goal_field
