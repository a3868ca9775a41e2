"""Pacing what is sent to Telegram: a token bucket per destination, shared by all workers.

Telegram lets a bot post about 20 messages a minute into one group; past that it answers
429 and the group's posts stall. So each destination (``group:<chat id>``) gets a bucket
of ``limit`` tokens; a message spends one, and a spent token comes back ``period``
after it was spent. No window of ``period`` ever holds more than ``limit`` sends, and a
burst is not refused: each send is given its moment, in the order they asked, and waits
for it. The bucket lives in Redis (one Lua script, Redis's clock), so every worker
process on every machine draws from the same one. Without Redis (the embedded default,
everything inline in one process) the same bucket lives in memory.

If Redis cannot be reached the send is not held back: Telegram's own 429, which the
tasks wait out, is the backstop, and nothing is lost either way.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from bisect import insort
from collections import defaultdict

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

KEY_PREFIX = "pacing:"
# Kept between a group's turns beyond Telegram's own period: a post goes out a little
# after its turn, so that a late first post cannot share a window with a prompt later one.
MARGIN_SECONDS = 0.5

# KEYS[1]: the bucket (a sorted set of sends, scored by their moment).
# ARGV: period (s), limit, count, an id for this reservation.
# Returns the seconds to wait, as a string (Lua numbers would be cut to integers).
_RESERVE = """
local key = KEYS[1]
local period = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local count = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period)
local at = now
local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if last[2] then at = math.max(at, tonumber(last[2])) end
local over = redis.call('ZCARD', key) + count - limit
if over > 0 then
  local nth = redis.call('ZRANGE', key, over - 1, over - 1, 'WITHSCORES')
  at = math.max(at, tonumber(nth[2]) + period)
end
for i = 1, count do
  redis.call('ZADD', key, at, ARGV[4] .. ':' .. i)
end
redis.call('PEXPIRE', key, math.ceil((at - now + period) * 1000) + 1000)
return tostring(at - now)
"""


def pace(key: str, *, count: int = 1, limit: int, period: float) -> float:
    """Reserve ``count`` sends to ``key``; the seconds to wait before making them (0: now).

    The reservation holds: a caller that waits and sends then is in order with every
    other. ``count`` above ``limit`` is taken as ``limit`` (one long note still goes).
    """
    count = max(1, min(count, limit))
    if not settings.REDIS_URL:
        return _memory.reserve(key, count=count, limit=limit, period=period)
    try:
        waited = _client().eval(
            _RESERVE, 1, KEY_PREFIX + key, period, limit, count, uuid.uuid4().hex
        )
    except redis.RedisError as error:
        logger.warning(
            "Pacing of %s skipped (Redis: %s); Telegram's 429 is the backstop", key, error
        )
        return 0.0
    return max(0.0, float(waited))


def group_pace(chat_id: int, *, count: int = 1) -> float:
    """``pace`` for posting ``count`` messages into the group ``chat_id``."""
    return pace(
        f"group:{chat_id}",
        count=count,
        limit=settings.TELEGRAM_GROUP_RATE,
        # A turn is kept from when it is given; the post itself goes a moment later.
        period=settings.TELEGRAM_GROUP_RATE_PERIOD.total_seconds() + MARGIN_SECONDS,
    )


def bulk_pace(*, count: int = 1) -> float:
    """``pace`` for updates to many owners' chats at once (expired previews): at most
    ``TELEGRAM_BULK_RATE`` in any second, however late the first of them went out."""
    return pace(
        "bulk",
        count=count,
        limit=settings.TELEGRAM_BULK_RATE,
        period=1.0 + MARGIN_SECONDS,
    )


# KEYS[1]: the sends of one sender at a time (a sorted set, scored by when each ended).
# ARGV: period (s), limit. Returns the seconds to wait before the next send, as a string.
_WAIT_TURN = """
local key = KEYS[1]
local period = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period)
local held = redis.call('ZCARD', key)
if held < limit then return '0' end
local nth = redis.call('ZRANGE', key, held - limit, held - limit, 'WITHSCORES')
return tostring(tonumber(nth[2]) + period - now)
"""
# KEYS[1]: as above. ARGV: period (s), an id for this send.
_SPENT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
return 1
"""


def turn_wait(key: str, *, limit: int, period: float) -> float:
    """For one sender at a time (a lock held around its sends): the seconds to wait so
    that no window of ``period`` holds more than ``limit`` of its sends, each counted
    from when it *ended* (``turn_spent``). A send reaches Telegram before it ends, so
    however late one went out, the next is at least ``period`` after the ``limit``-th
    before it: the pace holds at the far end too, without a margin that would cost a
    third of the rate."""
    if not settings.REDIS_URL:
        return _memory.turn_wait(key, limit=limit, period=period)
    try:
        waited = _client().eval(_WAIT_TURN, 1, KEY_PREFIX + key, period, limit)
    except redis.RedisError as error:
        logger.warning("Pacing of %s skipped (Redis: %s)", key, error)
        return 0.0
    return max(0.0, float(waited))


def turn_spent(key: str, *, period: float) -> None:
    """A send paced by ``turn_wait`` has ended (answered or refused: both count)."""
    if not settings.REDIS_URL:
        _memory.turn_spent(key, period=period)
        return
    try:
        _client().eval(_SPENT, 1, KEY_PREFIX + key, period, uuid.uuid4().hex)
    except redis.RedisError as error:
        logger.warning("Pacing of %s not recorded (Redis: %s)", key, error)


_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()


def _client() -> redis.Redis:
    url = str(settings.REDIS_URL)
    with _clients_lock:
        if url not in _clients:
            _clients[url] = redis.Redis.from_url(
                url, socket_connect_timeout=2, socket_timeout=2, health_check_interval=30
            )
        return _clients[url]


class _MemoryBuckets:
    """The same buckets for one process (inline tasks, no Redis)."""

    def __init__(self) -> None:
        self._sends: dict[str, list[float]] = defaultdict(list)
        self._lock = threading.Lock()

    def reserve(self, key: str, *, count: int, limit: int, period: float) -> float:
        with self._lock:
            now = time.monotonic()
            sends = [moment for moment in self._sends[key] if moment > now - period]
            at = max([now, *sends[-1:]])
            over = len(sends) + count - limit
            if over > 0:
                at = max(at, sends[over - 1] + period)
            for _ in range(count):
                insort(sends, at)
            self._sends[key] = sends
            return at - now

    def turn_wait(self, key: str, *, limit: int, period: float) -> float:
        with self._lock:
            now = time.monotonic()
            ended = [moment for moment in self._sends[key] if moment > now - period]
            self._sends[key] = ended
            if len(ended) < limit:
                return 0.0
            return max(0.0, ended[len(ended) - limit] + period - now)

    def turn_spent(self, key: str, *, period: float) -> None:
        with self._lock:
            insort(self._sends[key], time.monotonic())


_memory = _MemoryBuckets()
