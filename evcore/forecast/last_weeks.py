"""What a dataset's own last weeks teach the shipped daily forecast (``LSTMForecaster``).

Networks trained without the last ``departure_days`` forecast those days from rolling origins
``DEPARTURE_STEP`` days apart, and so do the baselines fitted on the days before each origin.
From these forecasts of days no model was trained on, three figures are learned: how far the
network may depart from the level x profile it starts from (the departure weight), which of
the ``member_sets`` the shipped median takes, and the factor its band takes
(``combination.median_band_scale``). Each is one figure pooled over station-days, so at most
``LEARNING_STATIONS`` stations, spread over the network, tell it.
"""

from __future__ import annotations

import numpy as np

from evcore.forecast.combination import learned_departure_and_members, median_band_scale, stacked
from evcore.forecast.features import spread_live

DEPARTURE_STEP = 5         # days between the rolling origins the departure weight is learned from
DEPARTURE_FLOOR = 0.5      # the least departure weight: picks below it on 20 days often missed (MEL duration folds)
LEARNING_STATIONS = 2000   # what the last weeks teach is pooled over station-days: so many stations tell it


def member_sets(combine: tuple, choose_members: bool, validation_days: int) -> list:
    """The member sets the shipped median may take, the default first: the network with the
    ``combine`` baselines, those baselines alone, and the network with them and the moving
    average (only the first when ``choose_members`` is off, nothing is combined, or
    ``validation_days`` ask for weights instead of a median)."""
    with_network = ("network", *combine)
    if not (choose_members and combine) or validation_days > 0:
        return [with_network]
    return [with_network, tuple(combine)] + (
        [] if "moving_average" in combine else [(*with_network, "moving_average")])


def learn_from_last_weeks(model, networks: list, start: int, end: int) -> tuple[float, tuple, float]:
    """What the days from ``start`` to ``end`` of ``model``'s history teach, forecast by ``networks``
    (trained without them) and by the baselines: the departure weight and the member set
    (``learned_departure_and_members``), and the ``median_band_scale`` of the members' median (1
    where no median is shipped, or with ``calibrate_band`` off)."""
    sets = model.member_sets()
    history = model.history_
    level = model.level if model.calibrate_band and model.combine and end == len(history) else None
    names = sorted({name for members in sets for name in members} - {"network"}) if (
        len(sets) > 1 or level is not None) else []
    origins, some = range(start, end, DEPARTURE_STEP), spread_live(history[:start], LEARNING_STATIONS)
    ratios = [model.network_ratios(origin, networks, some) for origin in origins]  # one pass an origin

    def network(departure: float) -> tuple:
        return stacked([model.from_ratios(*r, origin, end - origin, departure, some)
                        for r, origin in zip(ratios, origins)])

    truth = np.concatenate([history[origin:end, some] for origin in origins])
    live = np.concatenate([np.broadcast_to(history[:origin, some].sum(axis=0) > 0, (end - origin, truth.shape[1]))
                           for origin in origins])
    baselines, earlier = {name: [] for name in names}, {name: {} for name in names}  # shared calibration origins
    for origin in origins:  # the baselines at the full horizon, as ``predictions`` ships them (their band depends on it)
        for name, fitted in model.fitted_baselines(origin, names, some).items():
            baselines[name].append(tuple(a[:end - origin] for a in fitted.predict(model.horizon_, earlier[name])))
    baselines = {name: stacked(parts) for name, parts in baselines.items()}
    departure, members = learned_departure_and_members(
        network(0.0)[1], network(1.0)[1], {name: b[1] for name, b in baselines.items()}, truth, live, sets,
        DEPARTURE_FLOOR)
    if level is None:
        return departure, members, 1.0
    bands = {**baselines, "network": network(departure)}
    return departure, members, median_band_scale([bands[name] for name in members], truth, live, level)
