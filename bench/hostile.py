"""Hostile input, counted: the generated corpus (tests/hostile_inputs.py) through every reader,
seeded damaged files through every reader, and hostile command lines through the CLI. A case is
clean when it is read (finite numbers, no warning) or refused with InputError / exit 2 and one
``error:`` line that is not the catch-all "unexpected" message, and no NaN/Infinity is printed.

    python bench/hostile.py              # about a minute on 2 cores
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
# A tiny LSTM and a private model folder: the forecast cases check errors, not accuracy.
os.environ.setdefault("EVCORE_LSTM_SETTINGS", json.dumps({"epochs": 1, "seeds": 1, "average_last": 1,
                                                          "max_windows_per_epoch": 64}))
os.environ.setdefault("EVCORE_CHECKPOINTS", tempfile.mkdtemp())

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from hostile_inputs import hostile_cli_cases, hostile_files, hostile_library_calls, mutated_files  # noqa: E402

from evcore.cli import main  # noqa: E402
from evcore.errors import InputError  # noqa: E402
from evcore.io import read_demand, read_file, read_points, read_stations, read_usage  # noqa: E402

READERS = [lambda c, n: read_file(c, n).summary(), read_usage, read_stations, read_demand, read_points]


def _finite(result) -> bool:
    if isinstance(result, pd.DataFrame):
        return all(np.isfinite(result[c].to_numpy(float)).all()
                   for c in ("latitude", "longitude", "weight", "usage") if c in result)
    try:
        json.dumps(result, allow_nan=False)
        return True
    except ValueError:
        return False


def count_readers(files) -> tuple[int, int]:
    clean = total = 0
    for name, content in files:
        for reader in READERS:
            total += 1
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    ok = _finite(reader(content, name))
                except InputError:
                    ok = True
                except Exception:  # noqa: BLE001 - what we count
                    ok = False
            clean += ok and not caught
    return clean, total


def count_library_calls(calls: dict) -> tuple[int, int]:
    clean = 0
    for call in calls.values():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                call()
                ok = True
            except InputError:
                ok = True
            except Exception:  # noqa: BLE001 - what we count
                ok = False
        clean += ok and not caught
    return clean, len(calls)


def count_cli(cases) -> tuple[int, int, list]:
    clean, unclean = 0, []
    for argv in cases:
        out, err = io.StringIO(), io.StringIO()
        with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(err):
            warnings.simplefilter("always")
            code = main(argv)
        lines = [line for line in err.getvalue().splitlines() if line.startswith("error:")]
        bad = (code not in (0, 2) or (code == 2 and (len(lines) != 1 or "unexpected" in lines[0])) or caught
               or "NaN" in out.getvalue() or "Infinity" in out.getvalue())
        clean += not bad
        if bad:
            unclean.append(argv)
    return clean, len(cases), unclean


if __name__ == "__main__":
    print("library readers, hostile files: %d of %d clean" % count_readers(hostile_files()))
    print("library readers, damaged files: %d of %d clean" % count_readers(mutated_files(120, seed=9)))
    print("library calls (clustering, placement, geography): %d of %d clean" % count_library_calls(hostile_library_calls()))
    clean, total, unclean = count_cli(hostile_cli_cases(Path(tempfile.mkdtemp())))
    print(f"command line: {clean} of {total} clean")
    for argv in unclean[:10]:
        print("  not clean:", " ".join(argv))
