"""Daily usage forecasts per station: a global LSTM, statistical baselines, the backtest and
the model store.

Data in and out are long tables (``station_id, date, usage`` in; ``station_id, date, forecast,
lower, upper`` out). Inside, every model works on the wide daily matrix (one column a station)
and returns three arrays ``(lower, forecast, upper)`` of shape ``(horizon, stations)``.

- ``data``: the daily matrix, filling, the history prepared once (``daily_history``), the horizon check;
- ``features``: exponential smoothing's level, the weekly profile, the LSTM's windows;
- ``baselines``: the forecaster protocol and the statistical baselines;
- ``training``, ``lstm``: the network, its training loop and ``LSTMForecaster``;
- ``backtest``: the rolling-origin backtest of the models it is given;
- ``store``: checkpoints on disk; ``pipeline``: a dataset's trained model, cached backtest and
  forecast table, the calls the app, the CLI and the REST service make.
"""

from evcore.forecast.backtest import Backtest, BacktestErrors, backtest, backtest_errors
from evcore.forecast.baselines import (BASELINES, Baseline, ExponentialSmoothing, Forecaster, MovingAverage,
                                       SeasonalExpSmoothing, SeasonalNaive)
from evcore.forecast.data import (MAX_HORIZON, MIN_HORIZON, DailyHistory, check_horizon, daily_history,
                                  daily_matrix, fill_history, fingerprint)
from evcore.forecast.features import smoothed_level
from evcore.forecast.lstm import MODEL_VERSION, LSTMForecaster
from evcore.forecast.pipeline import (cached_backtest, cached_backtest_errors, checkpoint_path, default_models, prepared,
                                      forecast_frame, forecast_table, make_lstm, trained_lstm)
from evcore.forecast.store import load_checkpoint, model_lock, save_checkpoint

__all__ = [
    "BASELINES", "Backtest", "BacktestErrors", "Baseline", "DailyHistory", "ExponentialSmoothing", "Forecaster", "LSTMForecaster", "MAX_HORIZON",
    "MIN_HORIZON", "MODEL_VERSION", "MovingAverage", "SeasonalExpSmoothing", "SeasonalNaive", "backtest",
    "backtest_errors", "cached_backtest", "cached_backtest_errors", "check_horizon", "checkpoint_path", "daily_history", "daily_matrix", "default_models", "fill_history",
    "fingerprint", "forecast_frame", "forecast_table", "load_checkpoint", "make_lstm", "model_lock", "prepared", "save_checkpoint",
    "smoothed_level", "trained_lstm",
]
