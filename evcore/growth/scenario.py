"""Growth scenarios: a projection per area and year (fitted diffusion, or a growth rate the user
sets), the factor by which each area grows from the history's last year to a target year, and
demand points scaled by their area's factor."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evcore.errors import InputError

MAX_YEARS_AHEAD = 50
GROWTH_COLUMNS = ["area", "year", "vehicles", "lower", "upper"]


def rate_from_percent(percent: float | None, name: str = "rate") -> float | None:
    """A yearly growth given in percent as a fraction (None stays None), refused outside -100..1000%."""
    if percent is None:
        return None
    if not (np.isfinite(percent) and -100 < percent <= 1000):
        raise InputError(f"{name}: {percent:g} is not a yearly growth between -100 and 1000 percent.")
    return percent / 100


def check_until(history: pd.DataFrame, until) -> int:
    """``until`` as a year after the history's last (at most MAX_YEARS_AHEAD on), or InputError."""
    if history is None or history.empty:
        raise InputError("There is no adoption history to project: expected vehicles by area and year.")
    last = int(history["year"].max())
    if isinstance(until, bool) or not float(until).is_integer():
        raise InputError(f"until: expected a whole year, got {until!r}.")
    until = int(until)
    if not last < until <= last + MAX_YEARS_AHEAD:
        raise InputError(f"until: {until} is not between {last + 1} and {last + MAX_YEARS_AHEAD}: expected a "
                         f"year after the history's last year {last}, at most {MAX_YEARS_AHEAD} years on.")
    return until


def _last_two(history: pd.DataFrame) -> pd.DataFrame:
    """Per area the last year's count and the year before's (0 where it had none)."""
    wide = history.pivot_table(index="area", columns="year", values="vehicles", aggfunc="sum")
    last = int(history["year"].max())
    return pd.DataFrame({"now": wide.get(last), "before": wide.get(last - 1)}).dropna(subset=["now"]).fillna(0.0)


def _path(history: pd.DataFrame, until: int, step) -> pd.DataFrame:
    """A projection with no interval: ``step(now, before, h)`` gives the count ``h`` years on."""
    last = int(history["year"].max())
    base = _last_two(history)
    rows = [pd.DataFrame({"area": base.index, "year": last + h,
                          "vehicles": step(base["now"].to_numpy(), base["before"].to_numpy(), h)})
            for h in range(1, until - last + 1)]
    out = pd.concat(rows, ignore_index=True)
    out["lower"] = out["upper"] = out["vehicles"]
    return out.sort_values(["area", "year"], ignore_index=True)[GROWTH_COLUMNS]


def compound_growth(history: pd.DataFrame, until: int, rate: float | None = None) -> pd.DataFrame:
    """Each area grows at ``rate`` a year (a fraction, 0.2 for 20%), or at its last year's rate."""
    until = check_until(history, until)
    if rate is not None and not (np.isfinite(rate) and -1 < rate <= 10):
        raise InputError(f"growth rate: {rate!r} is not a yearly rate between -100% and 1000%.")

    def step(now, before, h):
        if rate is not None:
            return now * (1 + rate) ** h
        with np.errstate(divide="ignore", invalid="ignore"):
            last_rate = np.where(before > 0, now / before, 1.0)
        return now * last_rate ** h

    return _path(history, until, step)


def linear_growth(history: pd.DataFrame, until: int) -> pd.DataFrame:
    """Each area adds as many vehicles every year as it did in its last year."""
    until = check_until(history, until)
    return _path(history, until, lambda now, before, h: np.maximum(now + h * (now - before), 0.0))


def project_history(history: pd.DataFrame, until: int, rate: float | None = None, model=None) -> pd.DataFrame:
    """The projection per area and year up to ``until``: ``area, year, vehicles, lower, upper``
    (80% interval). Fitted by a pooled diffusion model (``BassDiffusion`` unless ``model`` is
    given), or, with ``rate``, the user's growth of ``rate`` a year (no interval: an assumption)."""
    until = check_until(history, until)
    if rate is not None:
        return compound_growth(history, until, rate)
    from evcore.growth.diffusion import BassDiffusion

    model = model if model is not None else BassDiffusion()
    out = model.fit(history).predict(until)
    return out.sort_values(["area", "year"], ignore_index=True)[GROWTH_COLUMNS]


def growth_factors(history: pd.DataFrame, projection: pd.DataFrame, year: int) -> tuple[pd.Series, float]:
    """Per area, its projected vehicles in ``year`` over its vehicles in the history's last year,
    and the same for all areas together (for what names no area). ``year`` equal to the last
    year means today: every factor 1."""
    last = int(history["year"].max())
    base = _last_two(history)["now"]
    if year == last:
        return pd.Series(1.0, index=base.index, name="factor"), 1.0
    if year not in set(projection["year"]):
        raise InputError(f"year: {year} is not among the projected years ({last + 1}–{projection['year'].max()}): "
                         "expected a year the projection reaches, or the history's last year for today.")
    then = projection[projection["year"] == year].set_index("area")["vehicles"].reindex(base.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        factors = (then / base).where(base > 0)
    overall = float(then.sum() / base.sum()) if base.sum() > 0 else 1.0
    return factors.fillna(overall).rename("factor"), overall


def scale_demand(demand: pd.DataFrame, factors: pd.Series | dict, overall: float) -> tuple[pd.DataFrame, list[str]]:
    """Demand points with each weight times its area's factor (``overall`` for points of an area
    the factors do not name, or with no area). Returns the scaled points and notes."""
    factors = pd.Series(factors, dtype=float)
    bad = ~np.isfinite(factors) | (factors < 0)
    if bad.any() or not (np.isfinite(overall) and overall >= 0):
        area = factors.index[bad][0] if bad.any() else "all areas"
        raise InputError(f"growth factor for {area!r} is not a finite number of 0 or more.")
    scaled = demand.copy()
    notes = []
    if "area" in demand.columns:
        per_point = demand["area"].map(factors)
        unmatched = per_point.isna()
        if unmatched.all():
            notes.append("No demand point's area is in the growth projection: every point grows by the overall "
                         f"factor {overall:.2f}.")
        elif unmatched.any():
            notes.append(f"{int(unmatched.sum())} demand points have an area the projection does not name: they "
                         f"grow by the overall factor {overall:.2f}.")
        scaled["weight"] = demand["weight"] * per_point.fillna(overall)
    else:
        notes.append(f"The demand points name no area: every point grows by the overall factor {overall:.2f} "
                     "(the same for all, so where to build does not change).")
        scaled["weight"] = demand["weight"] * overall
    return scaled, notes


def growth_answer(history: pd.DataFrame, until: int, rate: float | None = None) -> dict:
    """The CLI's ``growth --json`` object (and GET /growth's): ``areas`` (one row per area and
    projected year: ``area, year, vehicles, lower, upper``), ``total`` per year, the history's
    ``last_year`` and the ``method``."""
    projection = project_history(history, until, rate=rate)
    total = projection.groupby("year", as_index=False)[["vehicles", "lower", "upper"]].sum()
    method = "diffusion (pooled Bass, 80% interval)" if rate is None else f"{100 * rate:g}% a year (set, no interval)"
    if rate is None:
        total[["lower", "upper"]] = None  # the areas' intervals do not add up to the total's
    return {"last_year": int(history["year"].max()), "until": int(until), "method": method,
            "areas": projection.to_dict(orient="records"), "total": total.to_dict(orient="records")}


def scenario_factors(history: pd.DataFrame | None, year: int | None, rate: float | None = None
                     ) -> tuple[pd.Series, float, list[str]]:
    """Each area's growth factor from the history's last year to ``year`` (fitted, or ``rate``
    a year), the factor of all areas together, and a note saying which scenario it is."""
    if history is None or history.empty:
        raise InputError("A target year needs an adoption history (EVs by area and year): add one to the dataset.")
    last = int(history["year"].max())
    if isinstance(year, bool) or year is None or not float(year).is_integer() or int(year) < last:
        raise InputError(f"year: expected a whole year from the history's last year {last} on, got {year!r}.")
    year = int(year)
    projection = project_history(history, year, rate=rate) if year > last else None
    factors, overall = growth_factors(history, projection, year)
    how = "fitted diffusion" if rate is None else f"{100 * rate:g}% a year"
    return factors, overall, [f"Demand scaled from {last} to {year} ({how}): {overall:.2f} times as many vehicles in all."]


def demand_in_year(demand: pd.DataFrame, history: pd.DataFrame | None, year: int | None,
                   rate: float | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The demand points as they would be in ``year``: each weight times its area's growth."""
    factors, overall, notes = scenario_factors(history, year, rate)
    scaled, more = scale_demand(demand, factors, overall)
    return scaled, notes + more


def growth_for_year(history: pd.DataFrame | None, year: int, rate: float | None = None) -> tuple[float, list[str]]:
    """One growth factor for ``year`` (all areas together: stations name no area), for capacity's
    arrivals, with a note saying which scenario it is."""
    _, overall, _ = scenario_factors(history, year, rate)
    last = int(history["year"].max())
    how = "fitted diffusion" if rate is None else f"{100 * rate:g}% a year"
    return overall, [f"Arrivals scaled from {last} to {year} ({how}): {overall:.2f} times today's."]


def area_table(history: pd.DataFrame, projection: pd.DataFrame | None, year: int,
               demand: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per area: vehicles in the history's last year (``now``), projected in ``year`` with the
    interval, the growth ``factor``, and where the demand points name the area, its centre
    (``latitude``, ``longitude``: the demand's weighted mean), for maps. Largest areas first."""
    last = int(history["year"].max())
    table = _last_two(history)[["now"]]
    if projection is None or year == last:
        table["vehicles"] = table["lower"] = table["upper"] = table["now"]
    else:
        then = projection[projection["year"] == year].set_index("area")[["vehicles", "lower", "upper"]]
        table = table.join(then, how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        table["factor"] = (table["vehicles"] / table["now"]).where(table["now"] > 0)
    table = table.rename_axis("area").reset_index()
    if demand is not None and "area" in demand.columns:
        located = demand.dropna(subset=["area"]).assign(
            lat_w=lambda d: d["latitude"] * d["weight"], lon_w=lambda d: d["longitude"] * d["weight"])
        centres = located.groupby("area")[["lat_w", "lon_w", "weight"]].sum()
        centres = centres[centres["weight"] > 0]
        table = table.merge(pd.DataFrame({"latitude": centres["lat_w"] / centres["weight"],
                                          "longitude": centres["lon_w"] / centres["weight"]}),
                            left_on="area", right_index=True, how="left")
    return table.sort_values("vehicles", ascending=False, ignore_index=True)
