"""A pooled Bass diffusion model of EVs by area and year.

Each area follows the Bass model: the year's new vehicles are ``(p M_a + q_a N) (1 - N / M_a)``
for ``N`` vehicles the year before, so early adoption grows fast and then bends as the area
nears its potential ``M_a``. Areas share the shape: one innovation rate ``p``, one imitation rate
``q`` (each area's ``q_a = q exp(v_a)``) and one potential, as a share ``m`` of the area's fleet
where the fleet is known (``M_a = m exp(u_a) fleet_a``), else as a multiple ``kappa`` of the
area's last count (``M_a = kappa exp(u_a) N_a``). The area terms ``u_a``, ``v_a`` have a normal
prior around 0, so a small area, whose counts say little, borrows the pool's shape and a large
one follows its own data (penalised least squares, i.e. the posterior mode).

The 80% interval comes from the model's own errors (split-conformal style): it is refitted at
earlier cut years of the history, and the 80th percentile of its errors on the years it did not
see (|log of actual over projected|, pooled over areas and weighted by their vehicles) is the
interval's half-width per horizon, widened with the horizon beyond the horizons it could check,
plus the counting noise of small areas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import least_squares

from evcore.errors import InputError

Z80 = 1.2815515655446004  # the 90th percentile of the standard normal: an 80% central interval
MIN_YEARS = 4
# An interval never spans more than 20 times either way: wider says nothing a planner can use.
MAX_HALF_WIDTH = np.log(20.0)
OVERDISPERSION = 0.1  # a large area's yearly additions scatter by about 10% beyond counting noise


class BassDiffusion:
    """Pooled Bass diffusion over areas (scikit-learn style: ``fit`` then ``predict``).

    ``area_scale`` is the prior's spread of the area terms (log scale): smaller pools more.
    ``recency`` weighs a year ``k`` years before the last by ``recency ** k`` in the fit.
    ``checks`` is how many earlier cut years set the interval.
    """

    def __init__(self, area_scale: float = 0.5, recency: float = 0.85, checks: int = 3, interval: float = 0.8):
        self.area_scale = area_scale
        self.recency = recency
        self.checks = checks
        self.interval = interval

    # --- fitting ------------------------------------------------------------------------------

    def fit(self, history: pd.DataFrame) -> "BassDiffusion":
        """Fit on an adoption history (``year``, ``area``, ``vehicles`` + ``all_vehicles``)."""
        stock, fleet = _matrices(history)
        if not (stock.to_numpy() > 0).any():
            raise InputError("The adoption history counts no vehicle at all: expected some EVs to project from.")
        self.areas_, self.years_ = list(stock.index), list(stock.columns)
        self.stock_, self.fleet_ = stock.to_numpy(float), fleet
        self.params_ = _fit(self.stock_, self.fleet_, self.area_scale, self.recency)
        self.spread_ = self._check_errors(history)
        return self

    def _check_errors(self, history: pd.DataFrame) -> np.ndarray:
        """The interval's half-width (log scale) per horizon 1, 2, ... ``checks``: the errors' quantile
        from fits at earlier cut years; None when the history is too short to check."""
        last = self.years_[-1]
        errors: dict[int, list[tuple[float, float]]] = {}
        for back in range(1, self.checks + 1):
            cut = last - back
            if cut - self.years_[0] + 1 < MIN_YEARS:
                break
            early = history[history["year"] <= cut]
            stock, fleet = _matrices(early)
            if not (stock.to_numpy() > 0).any():  # nothing yet to fit at that cut
                break
            params = _fit(stock.to_numpy(float), fleet, self.area_scale, self.recency)
            path = _project(stock.to_numpy(float), fleet, params, back)
            actual = pd.DataFrame(self.stock_, index=self.areas_, columns=self.years_).reindex(stock.index)
            for h in range(1, back + 1):
                seen = actual[cut + h].to_numpy()
                ok = np.isfinite(seen) & (seen > 0)
                e = np.log((seen[ok] + 1) / (path[ok, h - 1] + 1))
                errors.setdefault(h, []).extend(zip(e, seen[ok]))
        if not any(errors.values()):
            return None
        spread = []
        for h in sorted(errors):
            if not errors[h]:  # no area had vehicles to check against
                break
            e, w = np.array(errors[h]).T
            spread.append(_weighted_quantile(np.abs(e), w, self.interval))
        return np.maximum.accumulate(np.array(spread))

    # --- projecting ---------------------------------------------------------------------------

    def predict(self, until: int) -> pd.DataFrame:
        """Per area and year after the history's last, up to ``until``: ``vehicles`` (the
        projection), ``lower`` and ``upper`` (the interval)."""
        last = self.years_[-1]
        if until <= last:
            raise InputError(f"until: {until} is not after the history's last year {last}: expected a later year.")
        horizon = until - last
        path = _project(self.stock_, self.fleet_, self.params_, horizon)
        steps = np.arange(1, horizon + 1)
        # the checked errors' quantile, and the counting noise of small areas (Poisson, in log terms)
        half = np.sqrt(self._spread(steps)[None, :] ** 2 + _z(self.interval) ** 2 * steps[None, :] / (path + 1))
        half = np.minimum(half, MAX_HALF_WIDTH)
        lower, upper = (path + 1) * np.exp(-half) - 1, (path + 1) * np.exp(half) - 1
        lower = np.maximum(lower, 0.0)
        rows = pd.DataFrame({
            "area": np.repeat(self.areas_, horizon),
            "year": np.tile(last + steps, len(self.areas_)),
            "vehicles": path.ravel(), "lower": lower.ravel(), "upper": upper.ravel()})
        return rows

    def _spread(self, steps: np.ndarray) -> np.ndarray:
        # nothing to check against (a short history): a wide guess, not a narrow one
        checked = self.spread_ if self.spread_ is not None else np.array([0.2])
        k = len(checked)
        # beyond the horizons checked the error keeps growing in proportion to the horizon
        return np.array([checked[s - 1] if s <= k else checked[-1] * s / k for s in steps])

    def summary(self) -> dict:
        """The shared shape: innovation and imitation rates and the potential."""
        p, q, kappa, share = self.params_["p"], self.params_["q"], self.params_["kappa"], self.params_["share"]
        return {"p": p, "q": q, "potential_share": share if np.isfinite(self.fleet_).any() else None,
                "potential_multiple": kappa if (~np.isfinite(self.fleet_)).any() else None}


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, level: float) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order]) / np.sum(weights)
    return float(values[order][min(np.searchsorted(cumulative, level), len(values) - 1)])


def _z(interval: float) -> float:
    from scipy.stats import norm

    return Z80 if interval == 0.8 else float(norm.ppf(0.5 + interval / 2))


def _matrices(history: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Vehicles as an area x year matrix (years without a count filled from the area's neighbours)
    and each area's last known fleet (NaN where unknown)."""
    if history is None or history.empty:
        raise InputError("The adoption history is empty: expected vehicles by area and year.")
    stock = history.pivot_table(index="area", columns="year", values="vehicles", aggfunc="sum")
    years = range(int(stock.columns.min()), int(stock.columns.max()) + 1)
    stock = stock.reindex(columns=years).interpolate(axis=1, limit_area="inside")
    if len(years) < MIN_YEARS:
        raise InputError(f"The adoption history spans {len(years)} year(s): expected at least {MIN_YEARS} years "
                         "to fit a diffusion curve.")
    stock = stock[stock.iloc[:, -1].notna()]  # an area that stopped being counted cannot be projected
    if stock.empty:
        raise InputError(f"No area has a count in the history's last year {years[-1]}: expected this year's counts.")
    if "all_vehicles" in history.columns:
        fleet = (history.dropna(subset=["all_vehicles"]).sort_values("year").groupby("area")["all_vehicles"].last()
                 .reindex(stock.index).to_numpy(float))
        fleet = np.where(fleet > stock.iloc[:, -1].to_numpy(), fleet, np.nan)  # a fleet smaller than its EVs is wrong
    else:
        fleet = np.full(len(stock), np.nan)
    return stock, fleet


# Parameters: log p, log q, log kappa, logit share, then u (one per area), then v (one per area).
# Early in diffusion the data cannot tell how far off the potential is (a slowing growth rate fits
# a near ceiling as well as innovators giving way to imitators): the potential is held near half
# the fleet where the fleet is known, else near 20 times today's EVs (EVs are a few percent of
# fleets). See bench/growth.py: a free potential projected Washington's ZIPs at a fraction of what
# came, and its counties with fleets at 0.27 WAPE against compound growth's 0.17.
_PRIORS = {"log_p": (np.log(0.002), 3.0), "log_q": (np.log(0.3), 2.0), "log_kappa": (np.log(20.0), 0.3),
           "logit_share": (0.0, 0.5)}
_BOUNDS = [(np.log(1e-7), np.log(0.5)), (np.log(1e-3), np.log(3.0)), (np.log(1.05), np.log(1e4)), (-8.0, 8.0)]


def _potential(stock: np.ndarray, fleet: np.ndarray, log_kappa: float, logit_share: float, u: np.ndarray):
    share = 1 / (1 + np.exp(-logit_share))
    last = np.maximum(stock[:, -1], 1.0)
    return np.where(np.isfinite(fleet), share * np.nan_to_num(fleet), np.exp(log_kappa) * last) * np.exp(u)


def _new_vehicles(before: np.ndarray, p: float, q: np.ndarray, potential: np.ndarray) -> np.ndarray:
    room = np.clip(1 - before / potential, 0.0, None)
    return (p * potential + q * before) * room


def _fit(stock: np.ndarray, fleet: np.ndarray, area_scale: float, recency: float) -> dict:
    n_areas, n_years = stock.shape
    before, after = stock[:, :-1], stock[:, 1:]
    added = after - before
    seen = np.isfinite(added) & np.isfinite(before) & (before > 0)
    age = (n_years - 2) - np.arange(n_years - 1)
    # counting noise plus a share of the count itself: large areas' years are not exact either
    scale = np.sqrt(1 + np.abs(np.nan_to_num(added)) + (OVERDISPERSION * np.nan_to_num(added)) ** 2)
    weight = np.where(seen, np.sqrt(recency ** age)[None, :] / scale, 0.0)
    before0, added0 = np.nan_to_num(before), np.nan_to_num(added)
    centres = np.array([_PRIORS[k][0] for k in _PRIORS])
    widths = np.array([_PRIORS[k][1] for k in _PRIORS])

    def residuals(theta):
        log_p, log_q, log_kappa, logit_share = theta[:4]
        u, v = theta[4:4 + n_areas], theta[4 + n_areas:]
        potential = _potential(stock, fleet, log_kappa, logit_share, u)[:, None]
        fitted = _new_vehicles(before0, np.exp(log_p), np.exp(log_q + v)[:, None], potential)
        data = (weight * (added0 - fitted)).ravel()
        return np.concatenate([data, u / area_scale, v / area_scale, (theta[:4] - centres) / widths])

    start = np.concatenate([centres, np.zeros(2 * n_areas)])
    lower = np.array([b[0] for b in _BOUNDS] + [-5.0] * (2 * n_areas))
    upper = np.array([b[1] for b in _BOUNDS] + [5.0] * (2 * n_areas))
    solution = least_squares(residuals, start, bounds=(lower, upper), jac_sparsity=_sparsity(n_areas, n_years - 1),
                             loss="soft_l1", f_scale=3.0, max_nfev=200, x_scale="jac")
    theta = solution.x
    return {"p": float(np.exp(theta[0])), "q": float(np.exp(theta[1])), "kappa": float(np.exp(theta[2])),
            "share": float(1 / (1 + np.exp(-theta[3]))), "log_kappa": float(theta[2]),
            "logit_share": float(theta[3]), "u": theta[4:4 + n_areas], "v": theta[4 + n_areas:]}


def _sparsity(n_areas: int, n_steps: int):
    """Which parameters each residual depends on: an area's years on the four shared ones and its own."""
    n_params = 4 + 2 * n_areas
    rows = n_areas * n_steps + 2 * n_areas + 4
    pattern = sparse.lil_matrix((rows, n_params), dtype=int)
    for a in range(n_areas):
        block = slice(a * n_steps, (a + 1) * n_steps)
        pattern[block, :4] = 1
        pattern[block, 4 + a] = 1
        pattern[block, 4 + n_areas + a] = 1
    offset = n_areas * n_steps
    for a in range(2 * n_areas):
        pattern[offset + a, 4 + a] = 1
    for k in range(4):
        pattern[offset + 2 * n_areas + k, k] = 1
    return pattern


def _project(stock: np.ndarray, fleet: np.ndarray, params: dict, horizon: int) -> np.ndarray:
    """Vehicles per area for each of the ``horizon`` years after the last."""
    potential = _potential(stock, fleet, params["log_kappa"], params["logit_share"], params["u"])
    q = params["q"] * np.exp(params["v"])
    level = np.nan_to_num(stock[:, -1])
    path = np.empty((len(level), horizon))
    for h in range(horizon):
        level = level + _new_vehicles(level, params["p"], q, potential)
        path[:, h] = level
    return path
