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
"""

from evcore.placement.bounds import lagrangian_lower_bound
from evcore.placement.coverage import coverage_curve, sites_needed
from evcore.placement.figures import weighted_quantile
from evcore.placement.models import MaxCoverage, PMedian
from evcore.placement.orlib import read_orlib

__all__ = ["PMedian", "MaxCoverage", "coverage_curve", "sites_needed", "lagrangian_lower_bound",
           "weighted_quantile", "read_orlib"]
