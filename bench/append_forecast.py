"""The forecast after a day of usage is appended: retrain from scratch, or fine-tune the previous
model? Time to a fresh forecast and WAPE of each, on a real city's daily usage.

    python bench/append_forecast.py [--city charged_jhb] [--origins 3] [--horizon 10]
                                    [--fine-tune-epochs 4] [--fine-tune-rate 0.001]

For each origin (the last day the previous model saw: the data's end less horizon + 1 days, and
the origins 7 and 14 days before it): the LSTM with the shipped settings is trained on the usage
up to that day (the "previous checkpoint", not timed); one day is appended; then

- ``retrain``: the shipped LSTM trained afresh on the usage with the new day (what the model
  store does: the data's fingerprint changed, so no checkpoint matches);
- ``fine-tune``: each seed's network starts from the previous model's last kept network of that
  seed and trains ``--fine-tune-epochs`` epochs at ``--fine-tune-rate`` (snapshots averaged as
  usual) on the same data.

Both forecast the ``--horizon`` days after the new day, scored by WAPE against what happened.
Prints each origin's seconds and WAPE and the mean; the machine is shared, so seconds are noisy:
compare the two columns of one run.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"

from evcore.config import Settings  # noqa: E402
from evcore.forecast import daily_matrix  # noqa: E402
from evcore.forecast.data import fill_history  # noqa: E402
from evcore.forecast.pipeline import make_lstm  # noqa: E402
from evcore.io import read_usage  # noqa: E402


def wape(truth: np.ndarray, forecast: np.ndarray) -> float:
    return float(np.abs(truth - forecast).sum() / max(np.abs(truth).sum(), 1e-9))


def starting_from(previous, random_state: int):
    """A ``build_network`` that hands each seed the previous model's last network of that seed."""
    import evcore.forecast.training as training

    build = training.build_network
    per_seed = len(previous.networks_) // previous.seeds
    lock = threading.Lock()

    def build_network(n_inputs, hidden, horizon, n_quantiles, generator=None, device="cpu"):
        net = build(n_inputs, hidden, horizon, n_quantiles, generator, device)
        if generator is not None:
            seed = generator.initial_seed() - random_state
            with lock:
                net.load_state_dict(previous.networks_[(seed + 1) * per_seed - 1].state_dict())
        return net

    return training, build, build_network


def timed_fit(model, history: pd.DataFrame) -> float:
    started = time.perf_counter()
    model.fit(history)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", default="charged_jhb")
    parser.add_argument("--origins", type=int, default=3)
    parser.add_argument("--horizon", type=int, default=10)
    parser.add_argument("--fine-tune-epochs", type=int, default=4)
    parser.add_argument("--fine-tune-rate", type=float, default=1e-3)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    settings = Settings(device=args.device)
    usage = read_usage(DATA / args.city / "volume.csv")
    filled = fill_history(daily_matrix(usage))
    print(f"{args.city}: {filled.shape[1]} stations, {len(filled)} days; device {args.device}", flush=True)
    rows = []
    for back in range(args.origins):
        end = len(filled) - args.horizon - 1 - 7 * back  # the previous model's last day (index, exclusive)
        before, after = filled.iloc[:end], filled.iloc[:end + 1]
        truth = filled.iloc[end + 1:end + 1 + args.horizon].to_numpy(float)
        previous = make_lstm(settings)
        previous.fit(before)
        retrained = make_lstm(settings)
        retrain_s = timed_fit(retrained, after)
        tuned = make_lstm(settings)
        tuned.epochs, tuned.average_last = args.fine_tune_epochs, args.fine_tune_epochs
        tuned.learning_rate = args.fine_tune_rate
        module, build, patched = starting_from(previous, tuned.random_state)
        module.build_network = patched
        try:
            tune_s = timed_fit(tuned, after)
        finally:
            module.build_network = build
        row = {"origin": f"{after.index[-1]:%Y-%m-%d}", "retrain_s": retrain_s,
               "retrain_wape": wape(truth, retrained.predict(args.horizon)[1]),
               "fine_tune_s": tune_s, "fine_tune_wape": wape(truth, tuned.predict(args.horizon)[1])}
        rows.append(row)
        print("  ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items()), flush=True)
    table = pd.DataFrame(rows)
    means = table.drop(columns="origin").mean()
    print(f"mean: retrain {means.retrain_s:.1f} s, WAPE {means.retrain_wape:.4f}; fine-tune {means.fine_tune_s:.1f} s, "
          f"WAPE {means.fine_tune_wape:.4f}; time ratio {means.fine_tune_s / means.retrain_s:.2f}, "
          f"WAPE ratio {means.fine_tune_wape / means.retrain_wape:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
