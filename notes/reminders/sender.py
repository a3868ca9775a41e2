"""One sender of reminders at a time, across every worker: the order of due times holds.

Telegram takes about 30 messages a second in all, which one sender keeps up with; two
interleaving senders would send two reminders claimed in order out of order. So a pass
sends only while it holds this lock (Redis, with a time to live renewed at each send:
a killed holder's lock runs out); inline, with no Redis, a lock of the process. A pass
that finds the lock taken leaves its work to the holder, which looks once more for due
reminders after letting go (so nothing due in between waits for the next beat).
"""

from __future__ import annotations

import threading
from functools import cache

import redis
from django.conf import settings

KEY = "reminders:sender"
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_local = threading.Lock()


@cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def _ttl_ms() -> int:
    return int(settings.WORK_LEASE.total_seconds() * 1000)


def sender_take(token: str) -> bool:
    if not settings.REDIS_URL:
        return _local.acquire(blocking=False)
    return bool(_client(str(settings.REDIS_URL)).set(KEY, token, nx=True, px=_ttl_ms()))


def sender_renew(token: str) -> None:
    if settings.REDIS_URL:
        _client(str(settings.REDIS_URL)).eval(_RENEW, 1, KEY, token, _ttl_ms())


def sender_release(token: str) -> None:
    if not settings.REDIS_URL:
        if _local.locked():
            _local.release()
        return
    _client(str(settings.REDIS_URL)).eval(_RELEASE, 1, KEY, token)
