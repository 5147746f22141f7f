"""Memory of the last results asked for, each computed once (the dashboard's and the service's
caches: datasets, forecasts)."""

from __future__ import annotations

import threading
from collections import OrderedDict


class RecentResults:
    """The results of the last ``size`` keys. A key asked for by several requests at once is
    computed by the first; the others wait for it instead of computing it again."""

    def __init__(self, size: int):
        self.size = size
        self._results: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict = {}

    def peek(self, key, default=None):
        """The result for ``key`` when it is there (computing nothing, waiting for nothing)."""
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
        return default

    def get(self, key, compute):
        """The result for ``key``, from ``compute()`` the first time."""
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._results:
                    return self._results[key]
            result = compute()
            with self._lock:
                self._results[key] = result
                while len(self._results) > self.size:
                    self._results.popitem(last=False)
                self._key_locks.pop(key, None)
            return result
