"""Where new stations serve EV demand best: p-median and maximal-coverage location models.

spopt-style: one class per model, built ``from_cost_matrix`` or ``from_points`` (great-circle
km), solved with ``solve()``, the solution kept on the object (attributes ending ``_``).

- ``PMedian``: open ``k`` new sites among the candidates so that the demand-weighted distance
  from each demand point to its nearest open site (new or existing) is smallest.
- ``MaxCoverage`` (MCLP): open ``k`` new sites so that the most demand lies within ``radius``
  of an open site.

Existing stations are always open and do not count against ``k``. Two solvers:

- the fast heuristic (default): greedy start, then best-improvement swaps evaluated for all
  pairs at once (fast interchange with nearest and second-nearest distances, Whitaker 1983 /
  Resende & Werneck 2003), then a variable neighbourhood search (random swaps + local search)
  until the time limit or ``patience`` failed shakes. It reports a bound and gap: a Lagrangian
  lower bound for the p-median, the LP relaxation's upper bound for coverage when small;
- the exact solver: a MILP solved by HiGHS (``scipy.optimize.milp``) with a size guard and a
  time limit, which says whether the answer is proven optimal.

Maximal coverage is solved by the same swap search on a 0/1 cost (1 when a demand point is
farther than the radius): fewest uncovered vehicles is most covered vehicles.

Problems built ``from_points`` with more than ``MAX_MATRIX_CELLS`` (20 million) demand x site
pairs, up to state scale (a million demand points, ten thousand candidates), are models of their
own (``LargePMedian``, ``LargeMaxCoverage`` in ``models.py``, which ``from_points`` builds
for them) and hold no matrix:
nearest sites come from a KD-tree over 3-D unit vectors (``spatial.py``), identical demand
locations are merged, the p-median is searched on demand aggregated to grid cells and then
refined with limited-candidate-list swaps on every point (``large.py``), and coverage keeps only
the pairs within the radius (``large_coverage.py``). Their figures are exact (each point to its
nearest open site); they have no bound (``gap_`` None) and no exact solver. Everything that fits
the matrix is solved as before.
"""

from evcore.placement.bounds import lagrangian_lower_bound
from evcore.placement.coverage import coverage_curve, sites_needed
from evcore.placement.figures import weighted_quantile
from evcore.placement.models import LargeMaxCoverage, LargePMedian, MaxCoverage, PMedian
from evcore.placement.orlib import read_orlib

__all__ = ["PMedian", "MaxCoverage", "LargePMedian", "LargeMaxCoverage", "coverage_curve", "sites_needed", "lagrangian_lower_bound",
           "weighted_quantile", "read_orlib"]
