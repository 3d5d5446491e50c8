"""The shared store in Redis or Valkey (YISHI_STORE_URL), through Litestar's RedisStore: for a
site that runs one anyway. Without the setting the database holds it (core.limits.DatabaseStore),
which needs nothing else running.

Each record keeps its expiry inside its value, read against the limiter's clock as the database
store does; Redis's own TTL (set to the same moment) only clears what is left behind. A change is
an optimistic transaction (WATCH, then MULTI/EXEC, again if another process changed the key
meanwhile), so counts from several processes are never lost."""
from __future__ import annotations

import json
from typing import Any

from litestar.stores.redis import RedisStore
from redis.exceptions import WatchError

from yishi.core.limits import Change


def _unpack(raw: bytes | None, now: float) -> Any:
    if raw is None:
        return None
    record = json.loads(raw)
    return record["v"] if record["e"] > now else None


class RedisStateStore:
    def __init__(self, url: str, namespace: str = "yishi") -> None:
        self.store = RedisStore.with_client(url=url, namespace=namespace)

    async def get(self, key: str, now: float) -> Any:
        return _unpack(await self.store.get(key), now)

    async def update(self, key: str, now: float, change: Change) -> Any:
        name = self.store._make_key(key)
        async with self.store._redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(name)
                    new, expires_at, result = change(_unpack(await pipe.get(name), now), now)
                    pipe.multi()
                    if new is None:
                        pipe.delete(name)
                    else:
                        pipe.set(name, json.dumps({"v": new, "e": expires_at}),
                                 px=max(1, int((expires_at - now) * 1000)))
                    await pipe.execute()
                    return result
                except WatchError:
                    continue

    async def delete(self, key: str) -> None:
        await self.store.delete(key)

    async def close(self) -> None:
        await self.store._redis.aclose(close_connection_pool=True)
