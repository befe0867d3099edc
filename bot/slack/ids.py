"""Every command, action_id, block_id and callback_id inflow uses, named once."""

from enum import StrEnum


class Command(StrEnum):
    LEARN = "/learn"


class Action(StrEnum):
    SHARE_GUIDE = "guide_share"
    OTHER_MATCHES = "guide_other_matches"
    HELPFUL = "guide_helpful"
    NOT_HELPFUL = "guide_not_helpful"
    OPEN_GUIDE = "guide_open"  # suffixed with a position: one per guide in a list
    BROWSE_CATEGORY = "browse_category"  # the select menu; buttons add a position suffix


class Block(StrEnum):
    GUIDE_ACTIONS = "guide_actions"
    BROWSE = "browse"
