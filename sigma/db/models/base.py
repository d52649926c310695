"""The declarative base of every Sigma table."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import JSON
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base of every Sigma table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}
