"""Every callback_id, action_id and block_id the app uses, in one place."""

from __future__ import annotations

from enum import StrEnum

from bot.services.profile import RATING_PREFIX, ProfileField, rating_field


class CallbackId(StrEnum):
    SIGNUP = "signup"


class ActionId(StrEnum):
    # Sign-up form: one element per block, so the action id names the field it carries.
    RATING = "rating"
    OPEN_SIGNUP = "open_signup"


# Sign-up form blocks are named after the profile fields they collect.
SignupBlock = ProfileField
RATING_BLOCK_PREFIX = RATING_PREFIX
rating_block_id = rating_field
