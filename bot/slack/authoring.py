"""Block Kit for writing guides in Slack: the guide form, a draft's preview, the authors list."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from bot.library.fields import FORM_FIELDS, GuideFields, phrases
from bot.library.schema import CATEGORY_LABELS, Category, Guide, Kind
from bot.services.authoring import DraftRef
from bot.slack.guides import guide_blocks
from bot.slack.ids import Command, DraftAction, Field, GuideField, View
from bot.slack.kit import button, context, plain, section
from bot.slack.text import MAX_MESSAGE_BLOCKS, escape, mention

MAX_INPUT = 3000  # Slack's longest plain_text_input
REVIEW_AFTER = dt.timedelta(days=182)  # a new guide is checked about six months on
KIND_LABELS = {
    Kind.GUIDE: "Guide: how to do something",
    Kind.FRAMEWORK: "Framework: how to decide or think it through",
    Kind.CHECKLIST: "Checklist: what not to forget",
}
# A hint is plain text (Slack shows backticks as typed), so the marks are quoted, not coded.
BODY_HINT = (
    'Markdown as Slack shows it: a line "## Heading" for each section (Steps, Example, Common '
    'mistake…), "1." for numbered steps, "-" for bullets, **bold**. Under 350 words: one to '
    "five minutes to read."
)


def block_of(name: str) -> GuideField:
    """The form input a field (bot.library.fields.FORM_FIELDS) is in."""
    return GuideField(f"guide_{name}")


@dataclass(frozen=True)
class FormState:
    """What the form carries in its private_metadata: the guide it edits ("" for a new one)
    and the version it was opened on (see bot.services.authoring)."""

    guide_id: str = ""
    base: int = 0

    def metadata(self) -> str:
        return json.dumps({"g": self.guide_id, "b": self.base}, separators=(",", ":"))


def read_form_state(metadata: str) -> FormState:
    """A form's private_metadata back as a FormState (anything unreadable: a new guide)."""
    try:
        data = json.loads(metadata or "{}")
        return FormState(str(data.get("g") or ""), int(data.get("b") or 0))
    except (ValueError, TypeError, AttributeError):
        return FormState()


def _option(label: str, value: str) -> dict:
    return {"text": plain(label), "value": value}


def _text_input(
    block: GuideField,
    label: str,
    value: str | None,
    *,
    max_length: int,
    multiline: bool = False,
    optional: bool = False,
    hint: str | None = None,
    placeholder: str | None = None,
) -> dict:
    element: dict = {
        "type": "plain_text_input",
        "action_id": Field.VALUE,
        "max_length": max_length,
    }
    if multiline:
        element["multiline"] = True
    if value:
        element["initial_value"] = value[:max_length]
    if placeholder:
        element["placeholder"] = plain(placeholder)
    block_json: dict = {
        "type": "input",
        "block_id": block,
        "label": plain(label),
        "element": element,
    }
    if optional:
        block_json["optional"] = True
    if hint:
        block_json["hint"] = plain(hint, 2000)
    return block_json


def _select(block: GuideField, label: str, options: list[dict], value: str | None) -> dict:
    element: dict = {"type": "static_select", "action_id": Field.VALUE, "options": options}
    chosen = [o for o in options if o["value"] == value]
    if chosen:
        element["initial_option"] = chosen[0]
    return {"type": "input", "block_id": block, "label": plain(label), "element": element}


def guide_form(
    fields: GuideFields | None, *, state: FormState, today: dt.date, note: str | None = None
) -> dict:
    """The form for writing a guide, filled with `fields`; its submit saves a draft."""
    fields = fields or GuideFields()
    review_by = fields.review_by or today + REVIEW_AFTER
    intro = (
        "Saving makes a *draft*: you see it as `/learn` shows it, then publish it. "
        "Nobody else sees it until you do."
    )
    blocks = [section(intro)]
    if note:
        blocks.append(context(escape(note)))
    blocks += [
        _text_input(
            GuideField.TITLE,
            "Title",
            fields.title,
            max_length=75,
            placeholder="Running a blameless post-mortem",
        ),
        _select(
            GuideField.KIND,
            "Kind",
            [_option(KIND_LABELS[k], k.value) for k in Kind],
            fields.kind or Kind.GUIDE.value,
        ),
        _select(
            GuideField.CATEGORY,
            "Area of the library",
            [_option(CATEGORY_LABELS[c], c.value) for c in Category],
            fields.category,
        ),
        _text_input(
            GuideField.SUMMARY,
            "Summary",
            fields.summary,
            max_length=200,
            hint="One sentence: what it helps you do.",
        ),
        _text_input(
            GuideField.WHEN,
            "When to use it",
            fields.when,
            max_length=MAX_INPUT,
            multiline=True,
            hint="The situation it helps with: /learn shows this first.",
        ),
        _text_input(
            GuideField.BODY,
            "The guide",
            fields.body,
            max_length=MAX_INPUT,
            multiline=True,
            hint=BODY_HINT,
            placeholder="## Steps\n1. …\n\n## Example\n…\n\n## Common mistake\n…",
        ),
        _text_input(
            GuideField.ALIASES,
            "Other names for it",
            ", ".join(fields.aliases),
            max_length=MAX_INPUT,
            optional=True,
            hint="Comma-separated: what people might type to find it.",
        ),
        _text_input(
            GuideField.TAGS,
            "Tags",
            ", ".join(fields.tags),
            max_length=1000,
            hint="Comma-separated words it is about.",
        ),
        _text_input(
            GuideField.OWNER,
            "Owner's email",
            fields.owner,
            max_length=120,
            hint="Who is asked to check it on its review date.",
            placeholder="you@example.com",
        ),
        {
            "type": "input",
            "block_id": GuideField.REVIEW_BY,
            "label": plain("Review by"),
            "element": {
                "type": "datepicker",
                "action_id": Field.VALUE,
                "initial_date": review_by.isoformat(),
            },
        },
    ]
    return {
        "type": "modal",
        "callback_id": View.GUIDE_FORM,
        "title": plain("Edit guide" if state.guide_id else "New guide"),
        "submit": plain("Save draft"),
        "close": plain("Cancel"),
        "private_metadata": state.metadata(),
        "blocks": blocks,
    }


def read_guide_form(view: dict) -> tuple[GuideFields, FormState]:
    """What a submitted guide form holds."""
    values = (view.get("state") or {}).get("values") or {}

    def element(block: GuideField) -> dict:
        return (values.get(block) or {}).get(Field.VALUE) or {}

    def text(block: GuideField) -> str | None:
        value = element(block).get("value")
        return value if isinstance(value, str) else None

    def chosen(block: GuideField) -> str | None:
        return (element(block).get("selected_option") or {}).get("value")

    picked = element(GuideField.REVIEW_BY).get("selected_date")
    try:
        review_by = dt.date.fromisoformat(picked) if picked else None
    except (TypeError, ValueError):
        review_by = None
    fields = GuideFields(
        title=text(GuideField.TITLE),
        kind=chosen(GuideField.KIND),
        category=chosen(GuideField.CATEGORY),
        summary=text(GuideField.SUMMARY),
        when=text(GuideField.WHEN),
        body=text(GuideField.BODY),
        aliases=tuple(phrases(text(GuideField.ALIASES))),
        tags=tuple(phrases(text(GuideField.TAGS))),
        owner=text(GuideField.OWNER),
        review_by=review_by,
    )
    return fields, read_form_state(view.get("private_metadata") or "")


def form_errors(problems: dict[str, str]) -> dict[str, str]:
    """Lint's problems by field (bot.library.fields.problems_by_field) as the form's errors."""
    return {block_of(name): message for name, message in problems.items() if name in FORM_FIELDS}


def draft_value(ref: DraftRef) -> str:
    return json.dumps({"g": ref.guide_id, "v": ref.version, "b": ref.base}, separators=(",", ":"))


def read_draft_value(value: str) -> DraftRef | None:
    """A preview button's value back as the draft it names; None if it names none."""
    try:
        data = json.loads(value)
        return DraftRef(str(data["g"]), int(data["v"]), int(data["b"]))
    except (ValueError, KeyError, TypeError):
        return None


def draft_preview(guide: Guide, ref: DraftRef, *, author: str, editing: bool) -> dict:
    """The draft as `/learn` shows the whole guide, with *Publish*, *Edit* and *Discard*; sent
    to its author as a DM (it stays there until they decide, unlike an ephemeral message)."""
    what = "your changes to" if editing else "your new guide"
    value = draft_value(ref)
    blocks = [
        context(
            f"Draft of {what} *{escape(guide.title)}*, as `{Command.LEARN}` will show it. "
            "Nobody else sees it until it is published."
        ),
        *guide_blocks(guide)[: MAX_MESSAGE_BLOCKS - 3],
        {
            "type": "actions",
            "elements": [
                button("Publish", DraftAction.PUBLISH, value, "primary"),
                button("Edit", DraftAction.EDIT, value),
                button("Discard", DraftAction.DISCARD, value, "danger"),
            ],
        },
        context(f"Saved by {mention(author)} · id `{guide.id}` · version {ref.version}"),
    ]
    return {"text": f"Draft: {escape(guide.title)}", "blocks": blocks[:MAX_MESSAGE_BLOCKS]}


def draft_settled(guide_title: str, *, published: bool, by: str) -> dict:
    """What the preview becomes once its draft is published or discarded (no more buttons)."""
    title = escape(guide_title)
    text = (
        f"Published *{title}*: `{Command.LEARN}` serves it in this workspace now."
        if published
        else f"Discarded the draft of *{title}*. Nothing changed in the library."
    )
    return {
        "replace_original": True,
        "text": text,
        "blocks": [section(text), context(f"By {mention(by)}")],
    }


def authors_message(admins: Sequence[str], authors: Sequence[str], note: str = "") -> dict:
    """`/learn authors`: who owns the library, and how admins change it."""
    shown_admins = ", ".join(mention(a) for a in sorted(admins)) or "nobody yet"
    shown_authors = ", ".join(mention(a) for a in authors) or "none yet"
    lines = [
        f"*The library's owners* write and edit guides with `{Command.LEARN} new` and the "
        "*Edit* button on any guide.",
        f"• Admins: {shown_admins}",
        f"• Authors: {shown_authors}",
    ]
    blocks = []
    if note:
        blocks.append(section(note))
    blocks += [
        section("\n".join(lines)),
        context(
            f"Admins name authors: `{Command.LEARN} authors add @ana @ben`, "
            f"`{Command.LEARN} authors remove @ana`."
        ),
    ]
    return {"response_type": "ephemeral", "text": note or "The library's owners", "blocks": blocks}
