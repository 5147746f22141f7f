"""What a station's level and weekly profile are estimated from: its history with public holidays
and outages replaced by the normal day they interrupted, and the holiday effect learned from
that history's own holidays.

- A holiday on a weekday (Monday to Friday; one at a weekend changes little) is replaced, in
  every station, by the mean of the same weekday in the nearest weeks that are not holidays,
  so one quiet Friday does not make every Friday look quiet.
- An outage is a run of zero days a station's own rate of zero days makes unlikely by chance
  (``OUTAGE_CHANCE``), followed by usage again; it is replaced the same way. A run that reaches
  the last day is kept: the station may be down, and its level should say so.
- The holiday effect is the network's usage on past weekday holidays over their normal days
  (a geometric mean, shrunk towards no effect by ``HOLIDAY_PRIOR`` holidays' worth), applied to
  the holidays of the forecast window. With no past holiday there is no effect.
"""

from __future__ import annotations

import numpy as np

OUTAGE_CHANCE = 0.01
HOLIDAY_PRIOR = 2.0
EFFECT_BOUNDS = (0.2, 1.5)
NEIGHBOUR_WEEKS = (1, 2, 3, 4)


def weekday_holidays(dates, holidays) -> np.ndarray:
    """Whether each of ``dates`` is a public holiday on a weekday."""
    return np.asarray(dates.isin(holidays) & (dates.day_of_week < 5))


def outages(y: np.ndarray) -> np.ndarray:
    """``(days, stations)``: the days of runs of zeros unlikely by chance and followed by usage."""
    zero = y <= 0
    rate = zero.mean(axis=0)
    # a run of L zero days has chance rate**L; the least L below OUTAGE_CHANCE
    shortest = np.where(rate > 0, np.ceil(np.log(OUTAGE_CHANCE) / np.log(np.clip(rate, 1e-12, 0.999))), 1)
    shortest = np.maximum(shortest, 2)
    out = np.zeros_like(zero)
    for j in np.flatnonzero(zero.any(axis=0) & ~zero.all(axis=0)):
        column = zero[:, j]
        edges = np.flatnonzero(np.diff(np.concatenate([[0], column.astype(int), [0]])))
        for start, end in zip(edges[::2], edges[1::2]):
            if end < len(column) and end - start >= shortest[j]:
                out[start:end, j] = True
    return out


def normal_days(y: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``y`` with its ``mask``ed days replaced by the mean of the same weekday in the two nearest
    weeks (of the four either side) that are not masked; where none is, linear interpolation
    between the station's unmasked days. Also returns where the weekday mean was used."""
    total, count = np.zeros_like(y), np.zeros_like(y)
    days = len(y)
    for weeks in NEIGHBOUR_WEEKS:
        for shift in (-7 * weeks, 7 * weeks):
            source = np.arange(days) + shift
            inside = (source >= 0) & (source < days)
            value = np.zeros_like(y)
            value[inside] = y[source[inside]]
            usable = np.zeros_like(mask)
            usable[inside] = ~mask[source[inside]]
            take = mask & usable & (count < 2)
            total += np.where(take, value, 0.0)
            count += take
    out = y.copy()
    by_weekday = mask & (count > 0)
    out[by_weekday] = total[by_weekday] / count[by_weekday]
    for j in np.flatnonzero((mask & (count == 0)).any(axis=0)):
        known = np.flatnonzero(~mask[:, j])
        if len(known):
            gaps = mask[:, j] & (count[:, j] == 0)
            out[gaps, j] = np.interp(np.flatnonzero(gaps), known, y[known, j])
    return out, by_weekday


def holiday_effect(y: np.ndarray, normal: np.ndarray, holiday_days: np.ndarray) -> float:
    """The network's usage on past holidays over their normal days, shrunk towards 1."""
    actual, usual = y[holiday_days].sum(axis=1), normal[holiday_days].sum(axis=1)
    ratios = actual[usual > 0] / usual[usual > 0]
    ratios = ratios[ratios > 0]
    if len(ratios) == 0:
        return 1.0
    shrunk = np.log(ratios).mean() * len(ratios) / (len(ratios) + HOLIDAY_PRIOR)
    return float(np.clip(np.exp(shrunk), *EFFECT_BOUNDS))


def cleaned(y: np.ndarray, holidays: np.ndarray) -> tuple[np.ndarray, float]:
    """``y`` ``(days, stations)`` without its weekday ``holidays`` (a day mask) and outages, and
    the holiday effect learned from it."""
    holiday_rows = np.broadcast_to(holidays[:len(y), None], y.shape)
    normal, by_weekday = normal_days(y, holiday_rows | outages(y))
    return normal, holiday_effect(y, normal, holidays[:len(y)] & by_weekday.any(axis=1))
