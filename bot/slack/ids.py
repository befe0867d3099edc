"""Every command, action_id, block_id and callback_id inflow uses, named once."""

from enum import StrEnum


class Command(StrEnum):
    LEARN = "/learn"
    SPOT = "/spot"
    PITCH = "/pitch"
    DEBRIEF = "/debrief"


class Action(StrEnum):
    SHARE_GUIDE = "guide_share"
    OTHER_MATCHES = "guide_other_matches"
    HELPFUL = "guide_helpful"
    NOT_HELPFUL = "guide_not_helpful"
    OPEN_GUIDE = "guide_open"  # suffixed with a position: one per guide in a list
    WHOLE_GUIDE = "guide_whole"
    ADD_ALIAS = "guide_add_alias"  # suffixed with a position: one per row of the report
    BROWSE_CATEGORY = "browse_category"  # the select menu; buttons add a position suffix
    GUIDE_EDIT = "guide_edit"  # value: the guide id; for the library's owners (handlers/authoring)
    GUIDE_HISTORY = "guide_history"  # value: the guide id; for owners (handlers/guide_history)


class Block(StrEnum):
    GUIDE_ACTIONS = "guide_actions"
    BROWSE = "browse"
    REVIEW_GUIDE = "review_guide"  # suffixed with ":<guide id>": a guide in a review list
    REVIEW_ACTIONS = "review_actions"  # suffixed with ":<guide id>": its buttons


class Shortcut(StrEnum):
    MISTAKE_MOMENT = "mistake_moment"
    MISTAKE_MOMENT_MESSAGE = "mistake_moment_message"
    SPOT_STRENGTH = "spot_strength"
    SAVE_AS_GUIDE = "save_as_guide"  # message shortcut: a guide form filled from the message


class View(StrEnum):
    MISTAKE_MOMENT = "mistake_moment_modal"
    LESSON = "mistake_lesson_modal"
    SPOT = "spot_modal"
    PITCH = "pitch_modal"
    IDEA_STAGE = "idea_stage_modal"
    DEBRIEF = "debrief_modal"
    WORKSPACE_SETTINGS = "workspace_settings_modal"
    PRACTICE_COMMITMENT = "practice_commitment_modal"
    PRACTICE_TRIED = "practice_tried_modal"
    PRACTICE_LOOK_BACK = "practice_look_back_modal"
    GUIDE_FORM = "guide_form_modal"
    GUIDE_HISTORY = "guide_history_modal"


class ReviewAction(StrEnum):
    """The buttons beside each guide in its owner's review list (and Action.GUIDE_EDIT)."""

    STILL_ACCURATE = "review_still_accurate"
    RETIRE = "review_retire"


class DebriefAction(StrEnum):
    ANSWER = "debrief_answer"
    SUMMARY = "debrief_summary"


class IdeaAction(StrEnum):
    ADVANCE = "idea_advance"
    PARK = "idea_park"


class SpotAction(StrEnum):
    SEND_ANYWAY = "spot_send_anyway"
    OPEN_FORM = "spot_open_form"
    POST_HERE = "spot_post_here"


class MomentAction(StrEnum):
    YES = "moment_yes"
    LATER = "moment_later"
    NO = "moment_no"
    ASK_AGAIN = "moment_ask_again"
    WRITE_LESSON = "moment_write_lesson"


class PracticeAction(StrEnum):
    START = "practice_start"
    JOIN = "practice_join"
    NOT_NOW = "practice_not_now"
    COMMIT = "practice_commit"
    TRIED = "practice_tried"
    NOT_YET = "practice_not_yet"
    SKIP = "practice_skip"
    PAUSE = "practice_pause"
    RESUME = "practice_resume"
    LEAVE = "practice_leave"
    LOOK_BACK = "practice_look_back"


class Field(StrEnum):
    """block_id of a modal input; each input's element has action_id VALUE."""

    VALUE = "value"
    WHAT_HAPPENED = "what_happened"
    COLLEAGUE = "colleague"
    WHEN = "when"
    LESSON = "lesson"
    SHARE_LESSON = "share_lesson"
    PERSON = "person"
    NOTE = "note"
    THEME = "theme"
    CHANNEL = "channel"
    IDEA = "idea"
    SPONSOR = "sponsor"
    ANSWER = "answer"
    LEARNED = "learned"
    COMMITMENT = "commitment"
    WHAT_CHANGED = "what_changed"
    CONFIDENCE = "confidence"
    CONFIDENCE_BEFORE = "confidence_before"
    DIFFERENCE = "difference"
    SHARED_LINE = "shared_line"


class TeamAction(StrEnum):
    """A report's answer to "<@manager> says they manage you"."""

    CONFIRM = "team_confirm"
    DECLINE = "team_decline"


class HomeAction(StrEnum):
    DAYS = "home_days"
    TIME = "home_time"
    PAUSE = "home_pause"
    RESUME = "home_resume"
    KINDS = "home_kinds"
    TEAM = "home_team"


class AdminAction(StrEnum):
    """Buttons on the Home tab for the workspace's inflow admins."""

    OPEN_SETTINGS = "admin_open_settings"


class SettingsField(StrEnum):
    """block_id of each input of the workspace settings modal: the name of the setting it
    changes (bot.services.workspaces.change_settings), so a setting's error finds its input."""

    ADMINS = "admins"
    LEARNING_CHANNEL = "learning_channel"
    HELPFUL_EMOJI = "helpful_emoji"
    UNHELPFUL_EMOJI = "unhelpful_emoji"
    NUDGE_DAYS = "nudge_days"
    NUDGE_TIME = "nudge_time"
    NUDGE_BUDGET = "nudge_budget"
    CHANNEL_SUGGESTIONS = "channel_suggestions"


class NudgeAction(StrEnum):
    OPEN_SPOT = "nudge_open_spot"
    NOT_USEFUL = "nudge_not_useful"
    SNOOZE = "nudge_snooze"
    STOP = "nudge_stop"


class FollowUpAction(StrEnum):
    HELPED = "followup_helped"
    DID_NOT_HELP = "followup_did_not_help"
    NOT_YET = "followup_not_yet"


class SuggestAction(StrEnum):
    OPEN = "suggest_open"
    NOT_NOW = "suggest_not_now"
    STOP_ME = "suggest_stop_me"
    STOP_CHANNEL = "suggest_stop_channel"


class PrivacyAction(StrEnum):
    FORGET_ME = "privacy_forget_me"
    KEEP_MY_DATA = "privacy_keep_my_data"


class DraftAction(StrEnum):
    """The buttons on a guide draft's preview; each value names the draft (bot.slack.authoring)."""

    PUBLISH = "guide_draft_publish"
    EDIT = "guide_draft_edit"
    DISCARD = "guide_draft_discard"


class GuideField(StrEnum):
    """block_id of each input of the guide form: `guide_` and the form field's name
    (bot.library.fields.FORM_FIELDS), so a lint problem finds its input."""

    TITLE = "guide_title"
    KIND = "guide_kind"
    CATEGORY = "guide_category"
    SUMMARY = "guide_summary"
    WHEN = "guide_when"
    BODY = "guide_body"
    ALIASES = "guide_aliases"
    TAGS = "guide_tags"
    OWNER = "guide_owner"
    REVIEW_BY = "guide_review_by"


class GuideSourceAction(StrEnum):
    """Buttons that open the guide form filled from work done in Slack (handlers/guide_sources)."""

    FROM_DEBRIEF = "guide_from_debrief"  # on a debrief's summary; value: the debrief id
    FROM_LESSON = "guide_from_lesson"  # on a shared lesson; value: the mistake moment's id
    FROM_GAP = "guide_from_gap"  # the report's gaps; suffixed with a position
    FROM_CHOSEN = "guide_from_chosen"  # the report's "asked → chose"; suffixed with a position


class HistoryAction(StrEnum):
    """Buttons in a guide's history (handlers/guide_history)."""

    RESTORE = "guide_restore"  # suffixed with the version: one per version listed
