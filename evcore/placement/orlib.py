"""OR-Library p-median instances (Beasley 1990): a pmedN.txt file as a cost matrix and p."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def read_orlib(path) -> tuple[np.ndarray, int]:
    """An OR-Library pmed file as (all-pairs shortest path matrix, p).

    First line ``n edges p``, then ``i j cost`` per edge (1-based, undirected). As in Beasley's
    own code, an edge listed twice keeps its last cost.
    """
    from scipy.sparse.csgraph import floyd_warshall

    numbers = np.array(Path(path).read_text().split(), dtype=np.int64)
    n, edges, p = (int(v) for v in numbers[:3])
    graph = np.full((n, n), np.inf)
    np.fill_diagonal(graph, 0.0)
    for i, j, c in numbers[3:3 + 3 * edges].reshape(edges, 3):
        graph[i - 1, j - 1] = graph[j - 1, i - 1] = c
    return floyd_warshall(graph, directed=False), p
