"""Small synthetic usage tables shared by the forecast tests."""

import numpy as np
import pandas as pd


def weekly_usage(stations=6, days=120, seed=0, start="2024-01-01"):
    """Long usage with a clear weekly rhythm, station-specific scale and a little noise."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=days, freq="D")
    shape = np.array([1.0, 1.1, 1.2, 1.1, 1.3, 0.5, 0.4])
    rows = []
    for s in range(stations):
        scale = 20 + 30 * s
        values = scale * shape[dates.day_of_week] * rng.uniform(0.9, 1.1, days)
        rows.append(pd.DataFrame({"station_id": f"S{s}", "date": dates, "usage": values}))
    return pd.concat(rows, ignore_index=True)
