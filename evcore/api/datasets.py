"""The service's view of the workspace: datasets loaded once per version and kept in memory."""

from __future__ import annotations

import threading
from collections import OrderedDict

from evcore.data import Dataset
from evcore.workspace import DEMO_ID, Workspace


class LoadedDatasets:
    """``Workspace.load`` with the last ``size`` datasets kept, keyed by id and last update, so
    a dataset changed by the dashboard is read again. Returns ``(dataset, fingerprint)``."""

    def __init__(self, workspace: Workspace, size: int = 8):
        self.workspace = workspace
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, dataset_id: str) -> tuple[Dataset, str]:
        version = None if dataset_id == DEMO_ID else self.workspace.info(dataset_id)["updated"]
        key = (dataset_id, version)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        dataset = self.workspace.load(dataset_id)
        item = (dataset, dataset.fingerprint())
        with self._lock:
            self._items[key] = item
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return item
