"""Memory of the last results asked for, each computed once (the dashboard's and the service's
caches: datasets, forecasts)."""

from __future__ import annotations

import threading
from collections import OrderedDict


class RecentResults:
    """The results of the last ``size`` keys. A key asked for by several requests at once is
    computed by the first; the others wait for it instead of computing it again. With ``weigh``
    (a result's weight, e.g. its bytes) the oldest are also dropped while the kept ones weigh
    more than ``max_weight`` together, and a result heavier than that alone is not kept."""

    def __init__(self, size: int, weigh=None, max_weight: float = float("inf")):
        self.size = size
        self.max_weight = max_weight
        self._weigh = weigh
        self._weights: dict = {}
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
            weight = self._weigh(result) if self._weigh is not None else 0
            with self._lock:
                if weight <= self.max_weight:  # heavier alone: given to the caller, not kept
                    self._results[key], self._weights[key] = result, weight
                while len(self._results) > self.size or sum(self._weights.values()) > self.max_weight:
                    oldest, _ = self._results.popitem(last=False)
                    self._weights.pop(oldest, None)
                self._key_locks.pop(key, None)
            return result
