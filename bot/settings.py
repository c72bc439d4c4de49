"""Settings from the environment (and a ``.env`` file, if present). Every setting is in .env.example."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from retrieval.locations import is_postgres_url

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def bundled_seeds() -> Path:
    """The bundled seed articles: ``seeds/`` of a source checkout, else the copy installed as package data
    (``pip install .``, a wheel or pipx put no ``seeds/`` beside the code)."""
    checkout = PROJECT_ROOT / "seeds"
    if checkout.is_dir():
        return checkout
    import newsbot_seeds  # a namespace package: the installed folder of seed articles

    return Path(next(iter(newsbot_seeds.__path__)))


DEFAULT_SEEDS = bundled_seeds()
DEFAULT_DB = Path(".newsbot") / "newsbot.db"
DEFAULT_POSTGRES_INDEX = Path(".newsbot") / "postgres.index"


class SettingsError(ValueError):
    """A setting has a value that cannot be used."""


def load_dotenv(path: Path, environ: MutableMapping[str, str]) -> None:
    """Read ``KEY=value`` lines into ``environ`` without overriding variables already set.

    The file must be UTF-8: a value in another encoding (a token, a path) would be read wrong, so a
    byte that is not UTF-8 is a :class:`SettingsError` naming its line, not a guess."""
    if not path.is_file():
        return
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise SettingsError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        where = error.object[: error.start].count(b"\n") + 1
        raise SettingsError(
            f"{path} is not UTF-8 text (byte 0x{error.object[error.start]:02x} on line {where}); save it as UTF-8"
        ) from None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ")
        key, sep, value = line.partition("=")
        if not sep:
            log.warning("%s:%d: ignored (no '=')", path, number)
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        environ.setdefault(key.strip(), value)


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _on_unless_off(value: str | None) -> bool:
    return (value or "").strip().lower() not in {"0", "false", "no", "off"}


def _optional_int(env: Mapping[str, str], name: str) -> int | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None


def parse_shards(count: str | None, ids: str | None) -> tuple[int | None, tuple[int, ...] | None]:
    """``(shard_count, shard_ids)`` from ``"4"`` and ``"0,1"``; SettingsError for anything else."""
    count, ids = (count or "").strip(), (ids or "").strip()
    if not count:
        if ids:
            raise SettingsError("NEWSBOT_SHARD_IDS (--shard-ids) needs NEWSBOT_SHARD_COUNT (--shard-count)")
        return None, None
    try:
        total = int(count)
        chosen = tuple(int(part) for part in ids.split(",")) if ids else tuple(range(total))
    except ValueError:
        raise SettingsError(f"shard count and ids must be numbers, got {count!r} and {ids!r}") from None
    if total < 1 or not chosen or any(not 0 <= shard < total for shard in chosen) or len(set(chosen)) != len(chosen):
        raise SettingsError(f"shard ids must be distinct numbers from 0 to {total - 1}, got {ids!r}")
    return total, chosen


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service and the adapters need to know."""

    seeds: tuple[Path, ...] = (DEFAULT_SEEDS,)
    db_path: Path = DEFAULT_DB
    """The SQLite database file (unused when :attr:`db_url` names a PostgreSQL database)."""
    db_url: str | None = None
    """A ``postgresql://`` URL: the store is that PostgreSQL database, shared by every process using it."""
    index_path: Path | None = None
    """Where this process keeps its index files (``NEWSBOT_INDEX_DIR``); default: beside the SQLite file,
    or ``.newsbot/postgres.index`` with PostgreSQL. Each process sharing a PostgreSQL store needs its own."""
    discord_token: str | None = None
    guild_id: int | None = None
    message_content: bool = False
    ask_cooldown_seconds: float = 10.0
    ask_cooldown_rate: int = 3
    user_hash_salt: str = "newsbot"
    log_level: str = "INFO"
    rescan: bool = True
    """Check the seed folders for new, changed and removed files on start-up (the bot: in the background)."""
    jit: bool = True
    """Long-running processes compile the search kernels (Numba, the ``fast`` extra) for large indexes
    (``NEWSBOT_JIT``)."""
    shard_count: int | None = None
    """Discord shards in all, when several ``newsbot run`` processes split the guilds (``NEWSBOT_SHARD_COUNT``);
    None: discord.py decides and this process runs them all."""
    shard_ids: tuple[int, ...] | None = None
    """The shards this process runs (``NEWSBOT_SHARD_IDS``, e.g. ``0,1``); None: all of them."""
    watch: bool = True
    """``newsbot run`` and ``newsbot chat`` ingest files added, changed or removed under the seed folders
    while they run (``NEWSBOT_WATCH``; needs ``rescan``)."""

    @property
    def index_dir(self) -> Path:
        """Where the persisted index lives: :attr:`index_path`, else beside the SQLite database."""
        if self.index_path is not None:
            return self.index_path
        if self.db_url is not None:
            return DEFAULT_POSTGRES_INDEX
        return self.db_path.with_name(self.db_path.name + ".index")

    @property
    def db_location(self) -> str | Path:
        """What the store is opened from: the PostgreSQL URL, or the SQLite file."""
        return self.db_url if self.db_url is not None else self.db_path

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        seeds: Sequence[str | Path] | None = None,
        db: str | Path | None = None,
        rescan: bool | None = None,
        dotenv: Path | None = Path(".env"),
    ) -> Settings:
        """Build settings from ``environ`` (default ``os.environ`` plus ``.env``); arguments win."""
        env: dict[str, str] = dict(os.environ if environ is None else environ)
        if dotenv is not None:
            load_dotenv(dotenv, env)
        if seeds:
            seed_paths = tuple(Path(s) for s in seeds)
        elif env.get("NEWSBOT_SEEDS", "").strip():
            seed_paths = tuple(Path(p) for p in env["NEWSBOT_SEEDS"].split(os.pathsep) if p.strip())
        else:
            seed_paths = (DEFAULT_SEEDS,)
        database = str(db or env.get("NEWSBOT_DB") or "").strip() or DEFAULT_DB
        index_dir = (env.get("NEWSBOT_INDEX_DIR") or "").strip()
        shard_count, shard_ids = parse_shards(env.get("NEWSBOT_SHARD_COUNT"), env.get("NEWSBOT_SHARD_IDS"))
        return cls(
            seeds=seed_paths,
            db_path=DEFAULT_DB if is_postgres_url(database) else Path(database).expanduser(),
            db_url=str(database).strip() if is_postgres_url(database) else None,
            index_path=Path(index_dir).expanduser() if index_dir else None,
            discord_token=(env.get("DISCORD_TOKEN") or "").strip() or None,
            guild_id=_optional_int(env, "DISCORD_GUILD_ID"),
            message_content=_flag(env.get("NEWSBOT_MESSAGE_CONTENT")),
            ask_cooldown_seconds=_number(env, "NEWSBOT_ASK_COOLDOWN_SECONDS", 10.0),
            ask_cooldown_rate=int(_number(env, "NEWSBOT_ASK_COOLDOWN_RATE", 3)),
            user_hash_salt=env.get("NEWSBOT_USER_HASH_SALT") or "newsbot",
            log_level=(env.get("NEWSBOT_LOG_LEVEL") or "INFO").upper(),
            rescan=rescan if rescan is not None else _on_unless_off(env.get("NEWSBOT_RESCAN")),
            jit=_on_unless_off(env.get("NEWSBOT_JIT")),
            shard_count=shard_count,
            shard_ids=shard_ids,
            watch=_on_unless_off(env.get("NEWSBOT_WATCH")),
        )
