"""PostgreSQL from the event loop: psycopg's async pool, for the few statements that must
not wait for a thread (the webhook's insert).

Django's ORM is synchronous: under ASGI every query runs in a thread, one request's
hop after another's. The statements here go straight through psycopg's
``AsyncConnectionPool``, connected with the same settings as Django's ``default``
database, in autocommit: one statement, one round trip. There is one pool per event
loop, opened on first use and closed by ``pools_close`` (the ASGI lifespan's end).
"""

from __future__ import annotations

import asyncio
from typing import Any

from django.db import connections
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

POOL_MAX_SIZE = 10
APPLICATION_NAME = "secretary-webhook"  # in pg_stat_activity, unless the settings name one

_pools: dict[asyncio.AbstractEventLoop, AsyncConnectionPool[AsyncConnection[Any]]] = {}


def available() -> bool:
    """Whether the default database is PostgreSQL (SQLite has no async driver here)."""
    return connections["default"].vendor == "postgresql"


def _connection_kwargs() -> dict[str, Any]:
    """What Django passes to psycopg for ``default``, less its synchronous parts."""
    params = dict(connections["default"].get_connection_params())
    for sync_only in ("cursor_factory", "context"):
        params.pop(sync_only, None)
    params["autocommit"] = True
    params.setdefault("application_name", APPLICATION_NAME)
    return params


async def pool() -> AsyncConnectionPool[AsyncConnection[Any]]:
    """This event loop's pool, opened on first use (connections are made as needed)."""
    loop = asyncio.get_running_loop()
    found = _pools.get(loop)
    if found is None:
        options = connections["default"].settings_dict["OPTIONS"].get("pool") or {}
        found = AsyncConnectionPool(
            kwargs=_connection_kwargs(),
            min_size=1,
            max_size=max(int(options.get("max_size", POOL_MAX_SIZE)), 1),
            timeout=float(options.get("timeout", 10)),
            open=False,
            name="webhook",
        )
        _pools[loop] = found
        await found.open(wait=False)
    return found


async def pools_close() -> None:
    """Close this event loop's pool (at shutdown); the next use opens a new one."""
    found = _pools.pop(asyncio.get_running_loop(), None)
    if found is not None:
        await found.close()
