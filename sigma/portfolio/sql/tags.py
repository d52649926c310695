"""Tags: per-owner labels on positions, manual or automatic (GICS sector tags).

Names are unique per owner (1–64 characters); colours are "#rrggbb". Tagging and untagging take
many positions in one statement, after one query checks every position belongs to the user.
Sector tags (`auto=True`) are named after the GICS sector of the priced symbol (the underlying for
options) from the stored profiles; a sync moves each position to its current sector tag.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from sigma.auth.model import AuthUser
from sigma.db import upsert
from sigma.db.models import Portfolio, Position, PositionTag, Tag
from sigma.errors import ValidationError
from sigma.portfolio.model import TagInfo
from sigma.portfolio.rules import tag_color, tag_name
from sigma.portfolio.sql.owned import denied, owned_positions

SECTOR_COLORS = {
    "Information Technology": "#4c78a8",
    "Financials": "#f58518",
    "Health Care": "#54a24b",
    "Consumer Discretionary": "#e45756",
    "Consumer Staples": "#72b7b2",
    "Energy": "#b79a20",
    "Industrials": "#9d755d",
    "Utilities": "#bab0ac",
    "Materials": "#ff9da6",
    "Real Estate": "#79706e",
    "Communication Services": "#b279a2",
}


def owned_tag(session: Session, user: AuthUser, tag_id: int) -> Tag:
    """The user's tag `tag_id`, or PermissionDenied."""
    tag = session.scalar(select(Tag).where(Tag.id == tag_id, Tag.owner_id == user.id))
    if tag is None:
        raise denied("Tag", tag_id)
    return tag


def _unique(session: Session, user: AuthUser, name: str, except_id: int | None = None) -> None:
    other = session.scalar(select(Tag.id).where(Tag.owner_id == user.id, Tag.name == name))
    if other is not None and other != except_id:
        raise ValidationError(f"name: you already have a tag called {name!r}.")


def tags(session: Session, user: AuthUser) -> list[TagInfo]:
    """The user's tags with the number of positions carrying each (one query)."""
    count = func.count(PositionTag.position_id)
    stmt = (
        select(Tag.id, Tag.name, Tag.color, Tag.auto, count)
        .outerjoin(PositionTag, PositionTag.tag_id == Tag.id)
        .where(Tag.owner_id == user.id)
        .group_by(Tag.id, Tag.name, Tag.color, Tag.auto)
        .order_by(Tag.auto, Tag.name)
    )
    return [TagInfo(i, n, c, bool(a), int(k)) for i, n, c, a, k in session.execute(stmt)]


def create_tag(session: Session, user: AuthUser, name: str, color: str) -> TagInfo:
    """A new manual tag."""
    text, hex_color = tag_name(name), tag_color(color)
    _unique(session, user, text)
    tag = Tag(owner_id=user.id, name=text, color=hex_color, auto=False)
    session.add(tag)
    session.flush()
    return TagInfo(tag.id, tag.name, tag.color, False, 0)


def rename_tag(session: Session, user: AuthUser, tag_id: int, name: str) -> None:
    """Rename a tag (still unique per owner)."""
    tag = owned_tag(session, user, tag_id)
    text = tag_name(name)
    _unique(session, user, text, except_id=tag.id)
    tag.name = text


def recolor_tag(session: Session, user: AuthUser, tag_id: int, color: str) -> None:
    """Change a tag's colour."""
    owned_tag(session, user, tag_id).color = tag_color(color)


def delete_tag(session: Session, user: AuthUser, tag_id: int) -> None:
    """Delete a tag (its links cascade)."""
    session.delete(owned_tag(session, user, tag_id))


def tag_positions(session: Session, user: AuthUser, position_ids: Sequence[int], tag_id: int) -> None:
    """Put the tag on every position (idempotent, one insert)."""
    tag = owned_tag(session, user, tag_id)
    rows = [{"position_id": p.id, "tag_id": tag.id} for p in owned_positions(session, user, position_ids)]
    upsert(session, PositionTag.__table__, rows, key=("position_id", "tag_id"), update=[])  # type: ignore[arg-type]


def untag_positions(session: Session, user: AuthUser, position_ids: Sequence[int], tag_id: int) -> None:
    """Take the tag off every position (one delete)."""
    tag = owned_tag(session, user, tag_id)
    ids = [p.id for p in owned_positions(session, user, position_ids)]
    session.execute(delete(PositionTag).where(PositionTag.tag_id == tag.id, PositionTag.position_id.in_(ids)))


def sync_sector_tags(session: Session, user: AuthUser, pid: int, profiles: pd.DataFrame) -> int:
    """Tag every position of `pid` with its sector's auto tag; return the number of positions tagged."""
    rows = session.execute(
        select(Position.id, func.coalesce(Position.underlying, Position.symbol)).where(Position.portfolio_id == pid)
    ).all()
    sector_of = profiles.dropna(subset=["sector"]).set_index("symbol")["sector"].to_dict()
    wanted = {pos_id: sector_of[sym] for pos_id, sym in rows if sym in sector_of}
    auto_ids = select(Tag.id).where(Tag.owner_id == user.id, Tag.auto.is_(True))
    session.execute(
        delete(PositionTag).where(PositionTag.position_id.in_([r[0] for r in rows]), PositionTag.tag_id.in_(auto_ids))
    )
    if not wanted:
        return 0
    sectors = sorted(set(wanted.values()))
    new_tags = [
        {"owner_id": user.id, "name": s, "color": SECTOR_COLORS.get(s, "#888888"), "auto": True} for s in sectors
    ]
    upsert(session, Tag.__table__, new_tags, key=("owner_id", "name"), update=[])  # type: ignore[arg-type]
    ids = dict(session.execute(select(Tag.name, Tag.id).where(Tag.owner_id == user.id, Tag.name.in_(sectors))).all())
    links = [{"position_id": pos_id, "tag_id": ids[sector]} for pos_id, sector in wanted.items()]
    upsert(session, PositionTag.__table__, links, key=("position_id", "tag_id"), update=[])  # type: ignore[arg-type]
    return len(links)


def sync_all_sector_tags(session: Session, profiles: pd.DataFrame) -> int:
    """The automatic sector tags of every position of every active book, in five statements whatever
    their number (the nightly profiles phase); returns the positions tagged."""
    held = (
        select(Position.id, Portfolio.owner_id, func.coalesce(Position.underlying, Position.symbol))
        .join(Portfolio, Portfolio.id == Position.portfolio_id)
        .where(Portfolio.archived.is_(False))
    )
    rows = session.execute(held).all()
    sector_of = profiles.dropna(subset=["sector"]).set_index("symbol")["sector"].to_dict()
    wanted = {pos_id: (owner, sector_of[sym]) for pos_id, owner, sym in rows if sym in sector_of}
    active_positions = held.with_only_columns(Position.id)
    auto_ids = select(Tag.id).where(Tag.auto.is_(True))
    session.execute(
        delete(PositionTag).where(PositionTag.position_id.in_(active_positions), PositionTag.tag_id.in_(auto_ids))
    )
    if not wanted:
        return 0
    pairs = sorted(set(wanted.values()))
    new_tags = [{"owner_id": o, "name": s, "color": SECTOR_COLORS.get(s, "#888888"), "auto": True} for o, s in pairs]
    upsert(session, Tag.__table__, new_tags, key=("owner_id", "name"), update=[])  # type: ignore[arg-type]
    owners = sorted({o for o, _ in pairs})
    ids = {
        (o, n): i for o, n, i in session.execute(select(Tag.owner_id, Tag.name, Tag.id).where(Tag.owner_id.in_(owners)))
    }
    links = [{"position_id": pos_id, "tag_id": ids[key]} for pos_id, key in wanted.items()]
    upsert(session, PositionTag.__table__, links, key=("position_id", "tag_id"), update=[])  # type: ignore[arg-type]
    return len(links)
