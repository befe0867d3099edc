"""The front matter every guide carries, validated by pydantic."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class Kind(StrEnum):
    GUIDE = "guide"
    FRAMEWORK = "framework"
    CHECKLIST = "checklist"


class Category(StrEnum):
    FEEDBACK = "feedback-and-recognition"
    LEARNING = "learning-from-the-work"
    COACHING = "coaching-and-managing"
    DECISIONS = "decisions"
    IDEAS = "ideas-and-experiments"
    MEETINGS = "meetings-and-collaboration"
    SELF = "working-on-yourself"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.FEEDBACK: "Feedback and recognition",
    Category.LEARNING: "Learning from the work",
    Category.COACHING: "Coaching and managing",
    Category.DECISIONS: "Decisions",
    Category.IDEAS: "Ideas and experiments",
    Category.MEETINGS: "Meetings and collaboration",
    Category.SELF: "Working on yourself",
}


def _phrases(values: list[str]) -> list[str]:
    cleaned = [" ".join(str(v).split()) for v in values]
    if any(not v for v in cleaned):
        raise ValueError("must not contain empty entries")
    return cleaned


class GuideMeta(BaseModel):
    """A guide's front matter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN, max_length=64)
    title: str = Field(min_length=3, max_length=75)
    kind: Kind
    category: Category
    summary: str = Field(min_length=10, max_length=200)
    minutes: int = Field(ge=1, le=5)
    tags: list[str] = Field(min_length=1, max_length=20)
    aliases: list[str] = Field(default_factory=list, max_length=40)
    triggers: list[str] = Field(default_factory=list, max_length=30)
    related: list[str] = Field(default_factory=list, max_length=8)
    owner: str = Field(min_length=1, max_length=120)
    review_by: dt.date
    draft: bool = False

    @field_validator("summary")
    @classmethod
    def _one_sentence(cls, value: str) -> str:
        if re.search(r"[.!?]\s+[A-Z]", value):
            raise ValueError("must be one sentence")
        return value

    @field_validator("tags", "aliases", "triggers")
    @classmethod
    def _clean(cls, values: list[str]) -> list[str]:
        return _phrases(values)

    @field_validator("related")
    @classmethod
    def _related_ids(cls, values: list[str]) -> list[str]:
        for value in values:
            if not re.match(ID_PATTERN, value):
                raise ValueError(f"{value!r} is not a guide id")
        return values


class Guide(BaseModel):
    """A guide as the library holds it: front matter, Markdown body, where it came from."""

    model_config = ConfigDict(frozen=True)

    meta: GuideMeta
    body: str
    path: str
    body_line: int  # the line of the file the body starts on
    version: str  # a hash of the file, so history can tell which text someone saw
    field_lines: dict[str, int] = {}  # front matter key -> line, for pointing at problems

    def line_of(self, key: str) -> int:
        return self.field_lines.get(key, 2)

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def title(self) -> str:
        return self.meta.title


def body_sections(body: str) -> list[tuple[str, str | None, list[str]]]:
    """A guide's Markdown body by section: (title, heading line, lines under it).

    The title is the heading lowercased without its `#`s; lines before the first heading come
    first, with the title "" and no heading line.
    """
    sections: list[tuple[str, str | None, list[str]]] = [("", None, [])]
    for line in body.splitlines():
        if line.startswith("#"):
            sections.append((line.lstrip("#").strip().lower(), line, []))
        else:
            sections[-1][2].append(line)
    return sections if sections[0][2] else sections[1:]
