"""SQLAlchemy 2 typed models. Every row that belongs to a workspace carries its Slack `team_id`."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from sqlalchemy import MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.db import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict] = {dt.datetime: UTCDateTime()}


class ProcessedEvent(Base):
    """An Events API delivery inflow has handled, so Slack's retries are dropped in any process."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("team_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
