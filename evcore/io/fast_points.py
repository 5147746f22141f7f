"""Big point files read fast: a plain CSV of coordinates (and weights) with millions of rows.

The general reader (``evcore.io.read_points``) detects formats and checks every cell as text,
which takes minutes on ten million rows. A file that is plainly a table of numbers -- a header
naming the latitude and longitude columns (and optionally a weight column), commas, nothing
else -- is parsed by pyarrow's multithreaded CSV reader (through pandas) straight into floats.
Anything else, or any cell that is not a plain in-range number, goes to the general reader, so
the answer and the error messages are the same; only the time differs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from evcore.io.tables import LAT_NAMES, LON_NAMES, WEIGHT_NAMES, normalise

# Files smaller than this go to the general reader (it is quick enough and says more).
FAST_READ_MIN_BYTES = 4 * 1024 * 1024


def read_points_fast(source) -> pd.DataFrame:
    """``read_points(source)``, fast for big plain coordinate CSVs (same table: ``latitude,
    longitude, weight``, one row per input row, in file order)."""
    from evcore.io import read_points

    table = _plain_coordinates(source) if isinstance(source, (str, Path)) else None
    return read_points(source) if table is None else table


def _plain_coordinates(path) -> pd.DataFrame | None:
    path = Path(path)
    try:
        if not path.is_file() or path.stat().st_size < FAST_READ_MIN_BYTES:
            return None
        with path.open("rb") as handle:
            header = handle.readline().decode("utf-8-sig").strip()
    except (OSError, UnicodeDecodeError):
        return None
    columns = [c.strip() for c in header.split(",")]
    normalised = [normalise(c) for c in columns]
    roles = {}
    for role, names in (("latitude", LAT_NAMES), ("longitude", LON_NAMES), ("weight", WEIGHT_NAMES)):
        found = [i for i, c in enumerate(normalised) if c in names]
        if len(found) > 1:
            return None
        if found:
            roles[role] = found[0]
    if "latitude" not in roles or "longitude" not in roles or len(roles) != len(columns):
        return None
    try:
        table = pd.read_csv(path, engine="pyarrow", header=0, names=columns,
                            dtype={c: "float64" for c in columns})
    except Exception:  # noqa: BLE001 - anything unusual is the general reader's to explain
        return None
    out = pd.DataFrame({"latitude": table[columns[roles["latitude"]]].to_numpy(),
                        "longitude": table[columns[roles["longitude"]]].to_numpy()})
    out["weight"] = table[columns[roles["weight"]]].to_numpy() if "weight" in roles else 1.0
    values = out.to_numpy()
    if (len(out) == 0 or not np.isfinite(values).all() or (np.abs(out["latitude"].to_numpy()) > 90).any()
            or (np.abs(out["longitude"].to_numpy()) > 180).any() or (out["weight"].to_numpy() < 0).any()):
        return None
    return out
