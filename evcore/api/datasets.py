"""The service's view of the workspace: datasets loaded once per version and kept in memory."""

from __future__ import annotations

from evcore.recent import RecentResults
from evcore.data import Dataset
from evcore.workspace import DEMO_ID, Workspace


class LoadedDatasets:
    """``Workspace.load`` with the last ``size`` datasets kept, keyed by id and last update, so
    a dataset changed by the dashboard is read again. Returns ``(dataset, fingerprint)``."""

    def __init__(self, workspace: Workspace, size: int = 8):
        self.workspace = workspace
        self._recent = RecentResults(size)

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
