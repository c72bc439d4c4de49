"""A small emulator of Discord's REST API and gateway, served on 127.0.0.1.

It implements just what the real ``discord.py`` client needs to log in, sync
application commands, receive gateway events and answer them: the REST routes
(gateway/bot, users/@me, oauth2 application, command sync, interaction
callbacks, webhook follow-ups and original-response edits, channel messages,
threads) and the gateway websocket (HELLO, IDENTIFY, READY, GUILD_CREATE,
heartbeats and ACKs, RESUME with replay, INTERACTION_CREATE, MESSAGE_CREATE,
THREAD_CREATE).

Tests drive it as a user would (``slash``, ``click``, ``select``,
``autocomplete``, ``say``) and assert on what the bot sent, which the emulator
records as plain JSON payloads. Faults can be injected: a REST 429 with
``Retry-After`` (``rate_limit_next``) and a gateway disconnect (``drop_gateway``).

It is as strict as Discord where a bot can get it wrong:

* interactions expire: the initial response must come within 3 s of the interaction
  (else 404 ``Unknown interaction``, code 10062) and the webhook token (follow-ups,
  edits) lives 15 minutes (else 401 ``Invalid Webhook Token``, 50027). The clock is the
  emulator's own: ``advance(seconds)`` moves it, and ``lag=`` on ``slash``/``click``/
  ``select`` delivers an interaction late, so no test sleeps;
* every message body (channel messages, interaction responses, follow-ups, edits) is held
  to Discord's size limits (400 ``Invalid Form Body``, 50035, with Discord's error shape);
* who each bot message pinged is computed from its content, ``allowed_mentions`` and the
  replied-to author, as Discord does (``pings_of(message)``).

Point a client at it with :meth:`DiscordEmulator.patch_discord`, which sets
``discord.http.Route.BASE`` and ``DiscordWebSocket.DEFAULT_GATEWAY``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from .rules import INVALID_FORM_BODY, Pings, form_errors, pings

log = logging.getLogger("tests.discord.emulator")

API_PREFIX = "/api/v10"
DISCORD_EPOCH_MS = 1420070400000
EPHEMERAL = 1 << 6
LOADING = 1 << 7

# Intents (https://discord.com/developers/docs/events/gateway#gateway-intents)
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15

# Permission bits used by the tests.
PERM_MANAGE_GUILD = 1 << 5
PERM_MEMBER = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16) | (1 << 31) | (1 << 35) | (1 << 38)
PERM_ADMIN_ALL = (1 << 41) - 1

# Interaction and callback types.
PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE = 1, 2, 3, 4
CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE, AUTOCOMPLETE_RESULT = (
    4,
    5,
    6,
    7,
    8,
)

OPTION_TYPES = {"string": 3, "integer": 4, "boolean": 5, "channel": 7, "number": 10}

UNKNOWN_INTERACTION = 10062
INVALID_WEBHOOK_TOKEN = 50027
RESPONSE_DEADLINE_S = 3.0
"""The initial response (callback) must come this soon after the interaction is created."""
TOKEN_LIFETIME_S = 15 * 60.0
"""Follow-ups and edits through the interaction's webhook token work this long."""


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response whose Content-Type is exactly ``application/json`` (no charset).

    discord.py compares the header for equality, so aiohttp's default
    ``application/json; charset=utf-8`` would make it treat bodies as text.
    """
    body = json.dumps(data).encode()
    resp = web.Response(body=body, status=status, headers=headers)
    resp.headers["Content-Type"] = "application/json"
    return resp


def error(status: int, message: str, code: int = 0) -> web.Response:
    return json_response({"message": message, "code": code}, status=status)


def invalid_form_body(errors: dict[str, Any]) -> web.Response:
    """Discord's 400 for a body over its limits: ``{"code": 50035, "errors": {...}, "message": ...}``."""
    return json_response({"code": INVALID_FORM_BODY, "errors": errors, "message": "Invalid Form Body"}, status=400)


@dataclass
class User:
    id: int
    username: str
    bot: bool = False
    permissions: int = PERM_MEMBER

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.username,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }

    def member_payload(self, guild_id: int) -> dict[str, Any]:
        return {
            "user": self.payload(),
            "nick": None,
            "roles": [],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "permissions": str(self.permissions),
        }


@dataclass
class InteractionRecord:
    """One interaction the emulator sent, and everything the bot answered to it."""

    id: int
    token: str
    type: int
    data: dict[str, Any]
    user: User
    channel_id: int
    guild_id: int | None
    created_at: float = 0.0
    """On the emulator's clock (``DiscordEmulator.now``)."""
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    original: dict[str, Any] | None = None
    original_edits: int = 0
    attempts: list[tuple[str, int]] = field(default_factory=list)
    """Every reply attempt through this interaction (callback, follow-up, edit): (what, HTTP status)."""

    @property
    def rejected(self) -> list[tuple[str, int]]:
        return [(what, status) for what, status in self.attempts if status >= 400]

    @property
    def callback_types(self) -> list[int]:
        return [c["type"] for c in self.callbacks]

    @property
    def deferred(self) -> bool:
        return DEFERRED_CHANNEL_MESSAGE in self.callback_types

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Every message the bot produced for this interaction, original first."""
        out: list[dict[str, Any]] = []
        if self.original is not None:
            out.append(self.original)
        out.extend(m for m in self.followups if self.original is None or m["id"] != self.original["id"])
        return out

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        for cb in self.callbacks:
            if cb["type"] == AUTOCOMPLETE_RESULT:
                return cb.get("data", {}).get("choices", [])
        return None


@dataclass
class GatewaySession:
    """One gateway session (one shard): its sequence, history and live socket."""

    session_id: str
    shard: tuple[int, int]
    intents: int
    seq: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None


class DiscordEmulator:
    """An in-process fake of Discord for one application, one guild (more with :meth:`add_guild`) and a few users."""

    def __init__(self, *, token: str = "emulator-token", heartbeat_interval_ms: int = 41250) -> None:
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self._ids: Iterator[int] = itertools.count(1)
        self.app_id = self.snowflake()
        self.bot_user = User(self.app_id, "newsbot", bot=True, permissions=PERM_ADMIN_ALL)
        self.owner = User(self.snowflake(), "owner", permissions=PERM_ADMIN_ALL)
        self.alice = User(self.snowflake(), "alice")
        self.bob = User(self.snowflake(), "bob")
        self.moderator = User(self.snowflake(), "mod", permissions=PERM_MEMBER | PERM_MANAGE_GUILD)
        self.other_bot = User(self.snowflake(), "otherbot", bot=True)
        self.users = {u.id: u for u in (self.bot_user, self.owner, self.alice, self.bob, self.moderator, self.other_bot)}
        self.guild_id = self.snowflake()
        self.guild_names: dict[int, str] = {self.guild_id: "Newsroom"}  # every guild the bot is in
        self.channel_id = self.snowflake()
        self.channels: dict[int, dict[str, Any]] = {
            self.channel_id: {
                "id": str(self.channel_id),
                "type": 0,
                "guild_id": str(self.guild_id),
                "name": "general",
                "position": 0,
                "permission_overwrites": [],
                "nsfw": False,
                "topic": None,
                "last_message_id": None,
                "parent_id": None,
                "rate_limit_per_user": 0,
            }
        }
        self.dm_channels: dict[int, int] = {}  # user id -> dm channel id
        self.messages: dict[int, list[dict[str, Any]]] = {self.channel_id: []}
        self.threads: dict[int, dict[str, Any]] = {}
        self.interactions: dict[str, InteractionRecord] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}  # guild id (None: global) -> commands
        self.requests: list[tuple[str, str]] = []
        self.heartbeats = 0
        self.identifies = 0
        self.resumes = 0
        self.privileged_intents_allowed = True
        self.commands_scope = True  # False: invited without applications.commands
        self.threads_allowed = True  # False: the bot may not create threads
        self.shard_count = 1
        self.sessions: dict[int, GatewaySession] = {}
        self._rate_limits: list[tuple[str, re.Pattern[str], float, bool]] = []
        self.rate_limited: list[tuple[str, str]] = []
        self.pings: dict[str, Pings] = {}  # bot message id -> who it pinged
        self.invalid_bodies: list[tuple[str, dict[str, Any]]] = []  # (route, errors) of every 400 Invalid Form Body
        self._clock_offset = 0.0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ----------------------------------------------------------------- clock
    def now(self) -> float:
        """The emulator's clock in seconds: real monotonic time plus every ``advance``."""
        return time.monotonic() + self._clock_offset

    def advance(self, seconds: float) -> None:
        """Move the clock on (interactions and their tokens age) without waiting."""
        self._clock_offset += seconds

    def pings_of(self, message: dict[str, Any]) -> Pings:
        """Who a bot message notified when it was posted (nobody: a falsy ``Pings``)."""
        return self.pings.get(message["id"], Pings())

    def _invalid(self, route: str, body: Any) -> web.Response | None:
        """A 400 Invalid Form Body if ``body`` breaks a limit (recorded in ``invalid_bodies``), else None."""
        errors = form_errors(body)
        if not errors:
            return None
        self.invalid_bodies.append((route, errors))
        log.warning("emulator: invalid form body for %s: %s", route, errors)
        return invalid_form_body(errors)

    # ----------------------------------------------------------------- basics
    def snowflake(self, *, later_ms: int = 0) -> int:
        """A fresh id; ``later_ms`` dates it that much later (a guild's shard comes from its id's timestamp)."""
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS + later_ms
        return (ms << 22) | (next(self._ids) & 0x3FFFFF)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        log.debug("emulator listening on %s", self.base_url)

    async def stop(self) -> None:
        for session in self.sessions.values():
            if session.ws is not None and not session.ws.closed:
                await session.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()

    def patch_discord(self, monkeypatch: Any) -> None:
        """Point discord.py's REST base and default gateway at this emulator."""
        import discord.gateway
        import discord.http
        import yarl

        monkeypatch.setattr(discord.http.Route, "BASE", self.api_base)
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(self.gateway_url))

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
        """Wait until ``predicate()`` is truthy; return its value or fail with ``what``.

        Checked at every request the emulator serves, and every 20 ms for state outside it (the bot's)."""

        async def _wait() -> Any:
            async with self._changed:
                while True:
                    value = predicate()
                    if value:
                        return value
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), 0.02)

        try:
            return await asyncio.wait_for(_wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}") from None

    # ----------------------------------------------------------- fault hooks
    def rate_limit_next(self, method: str, path_regex: str, retry_after: float = 0.3, *, via: bool = True) -> None:
        """Answer the next matching REST request with 429 and ``retry_after`` seconds."""
        self._rate_limits.append((method.upper(), re.compile(path_regex), retry_after, via))

    async def drop_gateway(self, code: int = 4000) -> None:
        """Close every live gateway socket from the server side (sessions are kept for RESUME)."""
        for session in self.sessions.values():
            ws, session.ws = session.ws, None
            if ws is not None and not ws.closed:
                await ws.close(code=code)

    # -------------------------------------------------------------- gateway
    def _shard_for(self, guild_id: int | None) -> int:
        if guild_id is None:
            return 0
        return (guild_id >> 22) % self.shard_count

    async def dispatch(self, event: str, data: dict[str, Any], guild_id: int | None = None) -> None:
        """Send a DISPATCH event on the right shard; buffered for RESUME while disconnected."""
        shard = self._shard_for(guild_id)
        session = self.sessions.get(shard)
        if session is None:
            raise AssertionError(f"no gateway session for shard {shard}")
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.history.append(frame)
        if session.ws is not None and not session.ws.closed:
            try:
                await session.ws.send_str(json.dumps(frame))
            except (ConnectionError, RuntimeError):
                log.debug("socket went away; %s kept for replay", event)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}))
        session: GatewaySession | None = None
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(msg.data)
            op, d = payload.get("op"), payload.get("d")
            if op == 1:
                self.heartbeats += 1
                await ws.send_str(json.dumps({"op": 11}))
            elif op == 2:
                session = await self._identify(ws, d)
                if session is None:
                    break
            elif op == 6:
                session = await self._resume(ws, d)
            await self._notify()
        if session is not None and session.ws is ws:
            session.ws = None
        return ws

    async def _identify(self, ws: web.WebSocketResponse, d: dict[str, Any]) -> GatewaySession | None:
        if d.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        intents = int(d.get("intents", 0))
        if intents & INTENT_MESSAGE_CONTENT and not self.privileged_intents_allowed:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        shard_id, shard_count = d.get("shard") or [0, 1]
        self.identifies += 1
        session = GatewaySession(session_id=f"session-{self.snowflake()}", shard=(shard_id, shard_count), intents=intents)
        session.ws = ws
        self.sessions[shard_id] = session
        ready = {
            "v": 10,
            "user": {**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(guild_id), "unavailable": True} for guild_id in self._guilds_of_shard(shard_id)],
            "session_id": session.session_id,
            "resume_gateway_url": self.gateway_url,
            "shard": [shard_id, shard_count],
            "application": {"id": str(self.app_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        await self.dispatch_to(session, "READY", ready)
        for guild_id in self._guilds_of_shard(shard_id):
            await self.dispatch_to(session, "GUILD_CREATE", self.guild_payload(guild_id))
        return session

    def _guilds_of_shard(self, shard_id: int) -> list[int]:
        """The guilds a shard serves (Discord's rule: ``(guild_id >> 22) % shard_count``)."""
        return [guild_id for guild_id in self.guild_names if self._shard_for(guild_id) == shard_id]

    async def dispatch_to(self, session: GatewaySession, event: str, data: dict[str, Any]) -> None:
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.history.append(frame)
        if session.ws is not None:
            await session.ws.send_str(json.dumps(frame))

    async def _resume(self, ws: web.WebSocketResponse, d: dict[str, Any]) -> GatewaySession | None:
        session = next((s for s in self.sessions.values() if s.session_id == d.get("session_id")), None)
        if session is None or d.get("token") != self.token:
            await ws.send_str(json.dumps({"op": 9, "d": False}))
            return None
        self.resumes += 1
        session.ws = ws
        last = d.get("seq") or 0
        for frame in session.history:
            if frame["s"] > last:
                await ws.send_str(json.dumps(frame))
        session.seq += 1
        await ws.send_str(json.dumps({"op": 0, "t": "RESUMED", "s": session.seq, "d": {}}))
        return session

    def guild_payload(self, guild_id: int | None = None) -> dict[str, Any]:
        guild_id = guild_id or self.guild_id
        gid = str(guild_id)
        return {
            "id": gid,
            "name": self.guild_names[guild_id],
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner.id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [
                {
                    "id": gid,
                    "name": "@everyone",
                    "color": 0,
                    "hoist": False,
                    "position": 0,
                    "permissions": str(PERM_MEMBER),
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "large": False,
            "unavailable": False,
            "member_count": len(self.users),
            "voice_states": [],
            "members": [self.bot_user.member_payload(guild_id)],
            "channels": [c for c in self.channels.values() if c["type"] == 0 and c["guild_id"] == gid],
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    # ----------------------------------------------------------------- REST
    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        method = request.method
        self.requests.append((method, path))
        for i, (m, pattern, retry_after, via) in enumerate(self._rate_limits):
            if m == method and pattern.search(path):
                del self._rate_limits[i]
                self.rate_limited.append((method, path))
                headers = {"Retry-After": str(retry_after), "X-RateLimit-Scope": "user"}
                if via:
                    headers["Via"] = "1.1 google"
                return json_response(
                    {"message": "You are being rate limited.", "retry_after": retry_after, "global": False},
                    status=429,
                    headers=headers,
                )
        body = await self._body(request)
        try:
            response = await self._route(method, path, request, body)
        finally:
            await self._notify()
        return response

    async def _body(self, request: web.Request) -> Any:
        if not request.can_read_body:
            return None
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            raw = form.get("payload_json")
            return json.loads(raw) if isinstance(raw, str) else {}
        text = await request.text()
        return json.loads(text) if text else None

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bot {self.token}"

    async def _route(self, method: str, path: str, request: web.Request, body: Any) -> web.StreamResponse:
        parts = [p for p in path.split("/") if p]
        # Webhook and interaction routes are authenticated by their token, not the bot token.
        if parts[:1] == ["interactions"] and method == "POST" and len(parts) == 4 and parts[3] == "callback":
            return self._interaction_callback(parts[1], parts[2], body, request)
        if parts[:1] == ["webhooks"] and len(parts) >= 3:
            return self._webhook(method, int(parts[1]), parts[2], parts[3:], body, request)
        if not self._authorized(request):
            return error(401, "401: Unauthorized")
        if path in ("/gateway/bot", "/gateway"):
            return json_response(
                {
                    "url": self.gateway_url,
                    "shards": self.shard_count,
                    "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
                }
            )
        if path == "/users/@me" and method == "GET":
            return json_response({**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "flags": 0})
        if path == "/oauth2/applications/@me" and method == "GET":
            return json_response(self.application_payload())
        if parts[:1] == ["applications"]:
            guild_id = int(parts[3]) if len(parts) >= 4 and parts[2] == "guilds" else None
            if guild_id is not None and (guild_id not in self.guild_names or not self.commands_scope):
                return error(403, "Missing Access", 50001)  # not in that guild, or invited without the scope
            if method == "PUT":
                self.commands[guild_id] = [self._command(c, guild_id) for c in body]
                return json_response(self.commands[guild_id])
            if method == "GET":
                return json_response(self.commands.get(guild_id, []))
        if path == "/users/@me/channels" and method == "POST":
            user = self.users[int(body["recipient_id"])]
            return json_response(self.dm_channel_payload(user))
        if parts[:1] == ["channels"] and len(parts) >= 2:
            return self._channel(method, int(parts[1]), parts[2:], body, request)
        log.warning("emulator: unhandled %s %s", method, path)
        return error(404, f"404: Not Found ({method} {path})", 10000)

    def application_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.app_id),
            "name": "newsbot",
            "icon": None,
            "description": "",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.owner.payload(),
            "summary": "",
            "verify_key": "0" * 64,
            "team": None,
            "flags": 0,
            "bot": self.bot_user.payload(),
        }

    def _command(self, c: dict[str, Any], guild_id: int | None) -> dict[str, Any]:
        out = {
            "id": str(self.snowflake()),
            "application_id": str(self.app_id),
            "version": str(self.snowflake()),
            "type": c.get("type", 1),
            "description": c.get("description", ""),
            "options": c.get("options", []),
            "default_member_permissions": c.get("default_member_permissions"),
            "nsfw": c.get("nsfw", False),
            **c,
        }
        if out["default_member_permissions"] is not None:  # Discord answers with a string
            out["default_member_permissions"] = str(out["default_member_permissions"])
        if guild_id is not None:
            out["guild_id"] = str(guild_id)
        return out

    # ------------------------------------------------------------ messages
    def _message(
        self,
        channel_id: int,
        author: User,
        body: dict[str, Any],
        *,
        webhook_id: int | None = None,
        interaction: InteractionRecord | None = None,
    ) -> dict[str, Any]:
        guild_id = self._guild_of(channel_id)
        msg: dict[str, Any] = {
            "id": str(self.snowflake()),
            "channel_id": str(channel_id),
            "author": author.payload(),
            "content": body.get("content") or "",
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": int(body.get("flags") or 0),
            "allowed_mentions": body.get("allowed_mentions"),
        }
        if guild_id is not None:
            msg["guild_id"] = str(guild_id)
        if webhook_id is not None:
            msg["webhook_id"] = str(webhook_id)
        if interaction is not None:
            msg["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": interaction.user.payload(),
                "authorizing_integration_owners": {},
            }
        ref = body.get("message_reference")
        if ref:
            msg["message_reference"] = {
                **ref,
                "message_id": str(ref["message_id"]),
                "channel_id": str(channel_id),
            }  # Discord answers with string ids
            msg["type"] = 19
        if author.id == self.bot_user.id:
            self._record_pings(msg, body)
        return msg

    def _record_pings(self, msg: dict[str, Any], body: dict[str, Any]) -> None:
        """Compute who ``msg`` notifies, as Discord does, and fill its mention fields to match."""
        replied = None
        ref = body.get("message_reference")
        if ref:
            target = self._find_message(int(ref["message_id"]))
            replied = int(target["author"]["id"]) if target is not None else None
        pinged = pings(msg["content"], body.get("allowed_mentions"), replied)
        self.pings[msg["id"]] = pinged
        msg["mentions"] = [self.users[u].payload() for u in sorted(pinged.users) if u in self.users]
        msg["mention_roles"] = [str(r) for r in sorted(pinged.roles)]
        msg["mention_everyone"] = pinged.everyone

    def _guild_of(self, channel_id: int) -> int | None:
        channel = self.channels.get(channel_id) or self.threads.get(channel_id)
        if channel is None or "guild_id" not in channel:
            return None
        return int(channel["guild_id"])

    def _find_message(self, message_id: int) -> dict[str, Any] | None:
        for msgs in self.messages.values():
            for m in msgs:
                if int(m["id"]) == message_id:
                    return m
        return None

    def _channel(self, method: str, channel_id: int, rest: list[str], body: Any, request: web.Request) -> web.Response:
        if channel_id not in self.messages:
            return error(404, "Unknown Channel", 10003)
        if not rest:
            return json_response(self.channels.get(channel_id) or self.threads[channel_id])
        if rest == ["typing"] and method == "POST":
            return web.Response(status=204)
        if rest == ["messages"] and method == "POST":
            if (invalid := self._invalid(f"POST /channels/{channel_id}/messages", body)) is not None:
                return invalid
            posted = self._message(channel_id, self.bot_user, body)
            self.messages[channel_id].append(posted)
            if channel_id in self.threads:
                self.threads[channel_id]["message_count"] += 1
            return json_response(posted)
        if rest == ["messages"] and method == "GET":
            # Newest first, as Discord answers; ``after`` selects the messages just after it.
            limit = int(request.query.get("limit", 50))
            before = int(request.query.get("before", 1 << 63))
            after = int(request.query.get("after", 0))
            msgs = [self._as_seen(m) for m in self.messages[channel_id] if after < int(m["id"]) < before]
            msgs = msgs[:limit] if "after" in request.query else msgs[-limit:]
            return json_response(list(reversed(msgs)))
        if len(rest) == 2 and rest[0] == "messages":
            msg = next((m for m in self.messages[channel_id] if m["id"] == rest[1]), None)
            if msg is None:
                return error(404, "Unknown Message", 10008)
            if method == "GET":
                return json_response(self._as_seen(msg))
            if method == "PATCH":
                if (invalid := self._invalid(f"PATCH /channels/{channel_id}/messages/{rest[1]}", body)) is not None:
                    return invalid
                msg.update({k: v for k, v in body.items() if k in ("content", "embeds", "components")})
                msg["edited_timestamp"] = _now_iso()
                return json_response(msg)
        if len(rest) == 5 and rest[0] == "messages" and rest[2:5:2] == ["reactions", "@me"] and method == "PUT":
            msg = next((m for m in self.messages[channel_id] if m["id"] == rest[1]), None)
            if msg is None:
                return error(404, "Unknown Message", 10008)
            msg.setdefault("bot_reactions", []).append(rest[3])
            return web.Response(status=204)
        if len(rest) == 3 and rest[0] == "messages" and rest[2] == "threads" and method == "POST":
            if not self.threads_allowed:
                return error(403, "Missing Permissions", 50013)  # no Create Public Threads in the channel
            starter = next((m for m in self.messages[channel_id] if m["id"] == rest[1]), None)
            if starter is None:
                return error(404, "Unknown Message", 10008)
            thread = self._create_thread(channel_id, int(rest[1]), body)
            starter["thread"] = thread
            asyncio.get_running_loop().create_task(
                self.dispatch("THREAD_CREATE", {**thread, "newly_created": True}, guild_id=self.guild_id)
            )
            return json_response(thread)
        log.warning("emulator: unhandled channel route %s %s", method, rest)
        return error(404, "404: Not Found", 10000)

    def _create_thread(self, parent_id: int, thread_id: int, body: dict[str, Any]) -> dict[str, Any]:
        thread = {
            "id": str(thread_id),
            "type": 11,
            "guild_id": str(self.guild_id),
            "parent_id": str(parent_id),
            "owner_id": str(self.bot_user.id),
            "name": body["name"],
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": int(body.get("auto_archive_duration") or 1440),
                "archive_timestamp": _now_iso(),
                "locked": False,
            },
        }
        self.threads[thread_id] = thread
        self.messages[thread_id] = []
        return thread

    def dm_channel_payload(self, user: User) -> dict[str, Any]:
        channel_id = self.dm_channels.get(user.id)
        if channel_id is None:
            channel_id = self.snowflake()
            self.dm_channels[user.id] = channel_id
            self.messages[channel_id] = []
        return {"id": str(channel_id), "type": 1, "recipients": [user.payload()], "last_message_id": None}

    # --------------------------------------------------------- interactions
    def _interaction_callback(self, iid: str, token: str, body: dict[str, Any], request: web.Request) -> web.Response:
        record = self.interactions.get(token)
        if record is None or str(record.id) != iid:
            return error(404, "Unknown interaction", UNKNOWN_INTERACTION)
        what = f"callback {body.get('type')}"
        if self.now() - record.created_at > RESPONSE_DEADLINE_S:
            record.attempts.append((what, 404))
            return error(404, "Unknown interaction", UNKNOWN_INTERACTION)
        if record.callbacks:
            record.attempts.append((what, 400))
            return error(400, "Interaction has already been acknowledged.", 40060)
        kind = body["type"]
        data = body.get("data") or {}
        if kind in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
            errors = form_errors(data, ("data",))
            if errors:
                record.attempts.append((what, 400))
                self.invalid_bodies.append((what, errors))
                log.warning("emulator: invalid form body for %s: %s", what, errors)
                return invalid_form_body(errors)
        record.attempts.append((what, 200))
        record.callbacks.append(body)
        response: dict[str, Any] = {
            "interaction": {
                "id": str(record.id),
                "type": record.type,
                "response_message_loading": kind == DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": bool(int(data.get("flags") or 0) & EPHEMERAL),
            }
        }
        if kind in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE):
            body_for_msg = dict(data)
            if kind == DEFERRED_CHANNEL_MESSAGE:
                body_for_msg["flags"] = int(data.get("flags") or 0) | LOADING
            msg = self._message(record.channel_id, self.bot_user, body_for_msg, webhook_id=self.app_id, interaction=record)
            record.original = msg
            if not int(msg["flags"]) & EPHEMERAL:
                self.messages.setdefault(record.channel_id, []).append(msg)
            response["interaction"]["response_message_id"] = msg["id"]
            response["resource"] = {"type": kind, "message": msg}
        elif kind == UPDATE_MESSAGE:
            message = self._find_message(int(record.data["_message_id"])) if "_message_id" in record.data else None
            if message is not None:
                message.update({k: v for k, v in data.items() if k in ("content", "embeds", "components")})
                response["resource"] = {"type": kind, "message": message}
        elif kind == AUTOCOMPLETE_RESULT:
            pass
        if request.query.get("with_response") in ("1", "true", "True"):
            return json_response(response)
        return web.Response(status=204)

    def _webhook(
        self, method: str, app_id: int, token: str, rest: list[str], body: Any, request: web.Request
    ) -> web.Response:
        record = self.interactions.get(token)
        if record is None or app_id != self.app_id:
            return error(404, "Unknown Webhook", 10015)
        if not record.callbacks:
            return error(404, "Unknown Webhook", 10015)  # must acknowledge first
        what = f"{method} webhook/{'/'.join(rest)}"
        if self.now() - record.created_at > TOKEN_LIFETIME_S:
            record.attempts.append((what, 401))
            return error(401, "Invalid Webhook Token", INVALID_WEBHOOK_TOKEN)
        if method in ("POST", "PATCH") and (invalid := self._invalid(what, body)) is not None:
            record.attempts.append((what, 400))
            return invalid
        record.attempts.append((what, 200))
        if not rest and method == "POST":
            original = record.original
            if original is not None and int(original["flags"]) & LOADING:
                # The first follow-up after a deferral replaces the "thinking" message.
                self._edit(original, body)
                self._record_pings(original, body)
                original["flags"] = int(original["flags"]) & ~LOADING | int(body.get("flags") or 0)
                record.followups.append(original)
                return json_response(original)
            followup = self._message(record.channel_id, self.bot_user, body, webhook_id=self.app_id, interaction=record)
            record.followups.append(followup)
            if not int(followup["flags"]) & EPHEMERAL:
                self.messages.setdefault(record.channel_id, []).append(followup)
            return json_response(followup)
        if len(rest) == 2 and rest[0] == "messages":
            target = rest[1]
            followups = (m for m in record.followups if m["id"] == target)
            msg = record.original if target == "@original" else next(followups, None)
            if msg is None:
                return error(404, "Unknown Message", 10008)
            if method == "GET":
                return json_response(msg)
            if method == "PATCH":
                self._edit(msg, body)
                if target == "@original":
                    record.original_edits += 1
                    msg["flags"] = int(msg["flags"]) & ~LOADING
                return json_response(msg)
            if method == "DELETE":
                if target == "@original":
                    record.original = None
                return web.Response(status=204)
        return error(404, "404: Not Found", 10000)

    @staticmethod
    def _edit(msg: dict[str, Any], body: dict[str, Any]) -> None:
        for key in ("content", "embeds", "components", "allowed_mentions"):
            if key in body:
                msg[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
        msg["edited_timestamp"] = _now_iso()

    # ------------------------------------------------------- user actions
    def _channel_payload(self, channel_id: int) -> dict[str, Any]:
        if channel_id in self.channels:
            return self.channels[channel_id]
        if channel_id in self.threads:
            return self.threads[channel_id]
        user_id = next(u for u, c in self.dm_channels.items() if c == channel_id)
        return self.dm_channel_payload(self.users[user_id])

    async def _interact(
        self,
        kind: int,
        data: dict[str, Any],
        user: User,
        channel_id: int | None,
        message: dict[str, Any] | None = None,
        dm: bool = False,
        lag: float = 0.0,
    ) -> InteractionRecord:
        """Create an interaction now and deliver it to the bot ``lag`` seconds later (on the emulator's clock)."""
        if dm:
            channel_id = int(self.dm_channel_payload(user)["id"])
        channel_id = channel_id or self.channel_id
        guild_id = self._guild_of(channel_id)
        record = InteractionRecord(
            id=self.snowflake(),
            token=f"itoken-{self.snowflake()}",
            type=kind,
            data=data,
            user=user,
            channel_id=channel_id,
            guild_id=guild_id,
            created_at=self.now(),
        )
        self.interactions[record.token] = record
        self.advance(lag)
        payload: dict[str, Any] = {
            "id": str(record.id),
            "application_id": str(self.app_id),
            "type": kind,
            "data": {k: v for k, v in data.items() if not k.startswith("_")},
            "channel_id": str(channel_id),
            "channel": self._channel_payload(channel_id),
            "token": record.token,
            "version": 1,
            "app_permissions": str(PERM_ADMIN_ALL),
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild_id)} if guild_id else {"1": str(user.id)},
            "context": 0 if guild_id else 1,
            "attachment_size_limit": 8 * 1024 * 1024,
        }
        if guild_id is not None:
            payload["guild_id"] = str(guild_id)
            payload["guild_locale"] = "en-US"
            payload["member"] = user.member_payload(guild_id)
        else:
            payload["user"] = user.payload()
        if message is not None:
            payload["message"] = message
        await self.dispatch("INTERACTION_CREATE", payload, guild_id=guild_id)
        return record

    def _find_command(self, name: str, guild_id: int | None) -> dict[str, Any]:
        for scope in (guild_id, None):
            for c in self.commands.get(scope, []):
                if c["name"] == name:
                    return c
        raise AssertionError(f"/{name} was not synced (synced: {self.command_names()})")

    def command_names(self, guild_id: int | None = ...) -> list[str]:  # type: ignore[assignment]
        scopes = self.commands.keys() if guild_id is ... else [guild_id]
        return sorted(c["name"] for s in scopes for c in self.commands.get(s, []))

    def _options(self, command: dict[str, Any], options: dict[str, Any], focused: str | None) -> list[dict[str, Any]]:
        schema = {o["name"]: o for o in command.get("options", [])}
        out = []
        for name, value in options.items():
            if name not in schema:
                raise AssertionError(f"/{command['name']} has no option {name!r} (has {sorted(schema)})")
            option = {"name": name, "type": schema[name]["type"], "value": value}
            if name == focused:
                option["focused"] = True
            out.append(option)
        missing = [o["name"] for o in command.get("options", []) if o.get("required") and o["name"] not in options]
        if missing and focused is None:
            raise AssertionError(f"/{command['name']} requires {missing}")
        return out

    async def slash(
        self,
        name: str,
        user: User | None = None,
        *,
        channel_id: int | None = None,
        dm: bool = False,
        lag: float = 0.0,
        **options: Any,
    ) -> InteractionRecord:
        """Invoke a synced slash command as ``user`` (default: alice); ``"group sub"`` names a subcommand."""
        guild_id = None if dm else self._guild_of(channel_id or self.channel_id)
        name, _, subcommand = name.partition(" ")
        command = self._find_command(name, guild_id)
        if subcommand:
            sub = next((o for o in command.get("options", []) if o["name"] == subcommand and o["type"] == 1), None)
            if sub is None:
                raise AssertionError(f"/{name} has no subcommand {subcommand!r}")
            values = [{"name": subcommand, "type": 1, "options": self._options(sub, options, None)}]
        else:
            values = self._options(command, options, None)
        data = {"id": command["id"], "name": name, "type": 1, "options": values}
        channels = [o for o in data["options"] if o["type"] == OPTION_TYPES["channel"]]
        if channels:  # Discord sends a channel option as its id, the channel itself in ``resolved``
            for option in channels:
                option["value"] = str(option["value"])
            data["resolved"] = {"channels": {
                o["value"]: {**self.channels[int(o["value"])], "permissions": str(PERM_ADMIN_ALL)} for o in channels
            }}
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        return await self._interact(APPLICATION_COMMAND, data, user or self.alice, channel_id, dm=dm, lag=lag)

    async def autocomplete(
        self, name: str, focused: str, user: User | None = None, **options: Any
    ) -> InteractionRecord:
        """Type into option ``focused`` of ``/name``; the bot answers with choices."""
        command = self._find_command(name, self.guild_id)
        data = {"id": command["id"], "name": name, "type": 1, "options": self._options(command, options, focused)}
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        return await self._interact(AUTOCOMPLETE, data, user or self.alice, None)

    @staticmethod
    def components(message: dict[str, Any]) -> list[dict[str, Any]]:
        """Every interactive component on ``message`` (flattened out of action rows)."""
        out = []
        for row in message.get("components", []):
            out.extend(row.get("components", []))
        return out

    def find_component(
        self, message: dict[str, Any], *, label: str | None = None, custom_id: str | None = None, type: int | None = None
    ) -> dict[str, Any]:
        """The first component matching ``label`` (or emoji), ``custom_id`` and ``type``."""
        for comp in self.components(message):
            if label is not None and comp.get("label") != label and (comp.get("emoji") or {}).get("name") != label:
                continue
            if custom_id is not None and comp.get("custom_id") != custom_id:
                continue
            if type is not None and comp.get("type") != type:
                continue
            return comp
        raise AssertionError(f"no component label={label!r} custom_id={custom_id!r} on message: {self.components(message)}")

    async def click(
        self, message: dict[str, Any], label: str, user: User | None = None, *, lag: float = 0.0
    ) -> InteractionRecord:
        """Click the button labelled ``label`` (or with that emoji) on ``message``."""
        button = self.find_component(message, label=label, type=2)
        if button.get("disabled"):
            raise AssertionError(f"button {label!r} is disabled")
        data = {"custom_id": button["custom_id"], "component_type": 2, "_message_id": message["id"]}
        channel_id = int(message["channel_id"])
        return await self._interact(MESSAGE_COMPONENT, data, user or self.alice, channel_id, message=message, lag=lag)

    async def select(
        self, message: dict[str, Any], values: list[str], user: User | None = None, *, lag: float = 0.0
    ) -> InteractionRecord:
        """Pick ``values`` in the (first) string select menu on ``message``."""
        menu = self.find_component(message, type=3)
        valid = {o["value"] for o in menu.get("options", [])}
        if not set(values) <= valid:
            raise AssertionError(f"{values} not among the menu's options {sorted(valid)}")
        data = {"custom_id": menu["custom_id"], "component_type": 3, "values": values, "_message_id": message["id"]}
        channel_id = int(message["channel_id"])
        return await self._interact(MESSAGE_COMPONENT, data, user or self.alice, channel_id, message=message, lag=lag)

    async def say(
        self,
        content: str,
        user: User | None = None,
        *,
        channel_id: int | None = None,
        dm: bool = False,
        mention_bot: bool = False,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Post a user message. Content is withheld, as Discord does, unless the bot may read it."""
        user = user or self.alice
        if dm:
            channel_id = int(self.dm_channel_payload(user)["id"])
        channel_id = channel_id or self.channel_id
        if mention_bot:
            content = f"<@{self.bot_user.id}> {content}".rstrip()
        msg = self._message(channel_id, user, {"content": content})
        mentions = []
        if f"<@{self.bot_user.id}>" in content or f"<@!{self.bot_user.id}>" in content:
            mentions.append(self.bot_user.payload())
        if reply_to is not None:
            msg["type"] = 19
            msg["message_reference"] = {"message_id": reply_to["id"], "channel_id": reply_to["channel_id"]}
            msg["referenced_message"] = reply_to
            if reply_to["author"]["id"] not in [m["id"] for m in mentions]:
                mentions.append(reply_to["author"])  # replies ping their author by default
        msg["mentions"] = mentions
        if msg.get("guild_id"):
            msg["member"] = {k: v for k, v in user.member_payload(self.guild_id).items() if k != "user"}
        self.messages[channel_id].append(msg)
        delivered = self._as_seen(msg)
        session = self.sessions.get(self._shard_for(self._guild_of(channel_id)))
        wanted = INTENT_DIRECT_MESSAGES if msg.get("guild_id") is None else INTENT_GUILD_MESSAGES
        if session is not None and session.intents & wanted:
            await self.dispatch("MESSAGE_CREATE", delivered, guild_id=self._guild_of(channel_id))
        return msg

    def _as_seen(self, msg: dict[str, Any]) -> dict[str, Any]:
        """A message as the bot may see it: content withheld without the intent, a mention or a DM."""
        if int(msg["author"]["id"]) == self.bot_user.id or self._can_read(msg, dm=msg.get("guild_id") is None):
            return msg
        return {**msg, "content": "", "embeds": [], "attachments": [], "components": []}

    def _can_read(self, msg: dict[str, Any], *, dm: bool) -> bool:
        session = self.sessions.get(self._shard_for(self._guild_of(int(msg["channel_id"]))))
        if session is not None and session.intents & INTENT_MESSAGE_CONTENT:
            return True
        if dm:
            return True
        return any(int(m["id"]) == self.bot_user.id for m in msg.get("mentions", []))

    def post_as_bot(self, body: dict[str, Any], channel_id: int | None = None) -> dict[str, Any]:
        """Put a message in a channel as if the bot had sent it earlier (say, an older version of it)."""
        channel_id = channel_id or self.channel_id
        msg = self._message(channel_id, self.bot_user, body)
        self.messages[channel_id].append(msg)
        return msg

    def add_guild(self, name: str, *, shard: tuple[int, int] = (0, 1)) -> tuple[int, int]:
        """Another guild with one text channel, both ids returned (add it before the bot connects). Its id
        falls on ``shard`` (shard id, shard count) by Discord's rule, as a real guild's id would."""
        shard_id, shard_count = shard
        now = self.snowflake() >> 22
        guild_id = self.snowflake(later_ms=(shard_id - now) % shard_count)
        channel_id = self.snowflake()
        self.guild_names[guild_id] = name
        self.channels[channel_id] = {
            **self.channels[self.channel_id], "id": str(channel_id), "guild_id": str(guild_id), "name": "general",
        }
        self.messages[channel_id] = []
        return guild_id, channel_id

    def add_text_channel(self, name: str) -> int:
        """Another text channel of the guild (add it before the bot connects: it comes with the guild)."""
        channel_id = self.snowflake()
        self.channels[channel_id] = {**self.channels[self.channel_id], "id": str(channel_id), "name": name}
        self.messages[channel_id] = []
        return channel_id

    def bot_messages(self, channel_id: int) -> list[dict[str, Any]]:
        return [m for m in self.messages.get(channel_id, []) if int(m["author"]["id"]) == self.bot_user.id]
