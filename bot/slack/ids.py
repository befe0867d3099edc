"""Every command, action_id, block_id and callback_id inflow uses, named once."""

from enum import StrEnum


class Command(StrEnum):
    LEARN = "/learn"


class Action(StrEnum):
    pass


class Block(StrEnum):
    pass
