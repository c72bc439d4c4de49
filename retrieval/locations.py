"""Where a store lives: a SQLite file or a PostgreSQL URL (light: the command line decides before it imports a store)."""

from __future__ import annotations

from pathlib import Path

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(location: str | Path | None) -> bool:
    """True for a PostgreSQL connection URL (``postgresql://…`` or ``postgres://…``)."""
    return isinstance(location, str) and location.strip().lower().startswith(POSTGRES_SCHEMES)
