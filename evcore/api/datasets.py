"""The service's view of the workspace: datasets loaded once per version and kept in memory."""

from __future__ import annotations

from evcore.recent import RecentResults
from evcore.data import Dataset
from evcore.workspace import DEMO_ID, Workspace


MAX_LOADED_BYTES = 512 * 1024 * 1024  # datasets kept in memory together (a larger one is read each time)


def dataset_bytes(loaded: tuple[Dataset, str]) -> int:
    """The memory a loaded dataset's tables take."""
    dataset = loaded[0]
    tables = [getattr(dataset, name, None) for name in ("usage", "stations", "demand", "sessions", "hourly")]
    return sum(int(t.memory_usage(deep=True).sum()) for t in tables if t is not None)


class LoadedDatasets:
    """``Workspace.load`` with the last ``size`` datasets kept, no more than ``max_bytes`` of them
    (a dataset larger than that is read again each time, so a large upload does not stay in the
    service's memory and shrink the room for the next one),
    keyed by id and last update, so a dataset changed by the dashboard is read again. Returns
    ``(dataset, fingerprint)``."""

    def __init__(self, workspace: Workspace, size: int = 8, max_bytes: int = MAX_LOADED_BYTES):
        self.workspace = workspace
        self._recent = RecentResults(size, weigh=dataset_bytes, max_weight=max_bytes)

    def get(self, dataset_id: str) -> tuple[Dataset, str]:
        version = None if dataset_id == DEMO_ID else self.workspace.info(dataset_id)["updated"]

        def load() -> tuple[Dataset, str]:
            dataset = self.workspace.load(dataset_id)
            return dataset, dataset.fingerprint()

        return self._recent.get((dataset_id, version), load)

    def peek(self, dataset_id: str) -> tuple[Dataset, str] | None:
        """``get``'s answer when it is in memory and needs no disk read (the demo, whose version
        never changes), else None."""
        return self._recent.peek((dataset_id, None)) if dataset_id == DEMO_ID else None
