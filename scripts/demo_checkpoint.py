"""Regenerate the demo's shipped checkpoint in checkpoints/ (after the model or the demo changes).

    .venv/bin/python scripts/demo_checkpoint.py

Trains the demo data's LSTM with the default settings on the CPU, stores the backtest of every
horizon with it, removes the other ``lstm-*.pt`` files there and prints the new file's name: put
it in .gitignore's exception and commit it (tests/test_forecast.py checks it is current).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evcore.config import Settings  # noqa: E402
from evcore.demo import demo_dataset  # noqa: E402
from evcore.forecast import cached_backtest_errors, checkpoint_path, make_lstm, prepared, trained_lstm  # noqa: E402


def main() -> None:
    settings = Settings(checkpoints=ROOT / "checkpoints", device="cpu")
    demo = demo_dataset()
    usage = prepared(demo.usage, demo.stations, settings)  # with the holidays of the demo's stations
    path = checkpoint_path(usage.filled, make_lstm(settings), settings)
    for old in path.parent.glob("lstm-*.pt*"):
        if old != path:
            old.unlink()
    trained_lstm(usage, settings=settings, progress=lambda f, m: print(f"{f:4.0%} {m}", file=sys.stderr))
    cached_backtest_errors(usage, folds=3, settings=settings, n_jobs=2)
    for lock in path.parent.glob("*.lock"):  # the model store's lock files: not shipped
        lock.unlink()
    print(path.name)


if __name__ == "__main__":
    main()
