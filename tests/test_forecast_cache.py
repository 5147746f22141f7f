"""One forecast cache for the dashboard and the service (evcore.forecast.cache): made once for
callers asking at once, bounded, and the service's warm answer read from it without a worker."""

import threading
import warnings

import pytest

with warnings.catch_warnings():  # starlette's note about httpx2, not about our code
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from conftest import QUICK_LSTM
from evcore.config import Settings
from evcore.data import Dataset
from evcore.errors import InputError
from evcore.forecast import cache as cache_module
from evcore.forecast.cache import ForecastCache
from usage_samples import weekly_usage


@pytest.fixture
def counted(monkeypatch):
    calls, real = [], cache_module.pipeline.forecast_table

    def forecast_table(usage, **kwargs):
        calls.append(kwargs["horizon"])
        return real(usage, **kwargs)

    monkeypatch.setattr(cache_module.pipeline, "forecast_table", forecast_table)
    return calls


def test_callers_asking_at_once_get_one_forecast_and_the_cache_is_bounded(tmp_path, counted):
    settings = Settings(checkpoints=tmp_path, lstm=QUICK_LSTM, device="cpu")
    cache, data = ForecastCache(size=2), Dataset(name="mine", usage=weekly_usage())
    tables = [None] * 4
    callers = [threading.Thread(target=lambda i=i: tables.__setitem__(i, cache.table(data, 5, settings)))
               for i in range(4)]
    for c in callers:
        c.start()
    for c in callers:
        c.join()
    assert counted == [5] and all(t.equals(tables[0]) for t in tables)
    tables[0].loc[0, "forecast"] = -1.0  # a caller's copy: the cached table stays as made
    assert cache.table(data, 5, settings).loc[0, "forecast"] != -1.0
    cache.table(data, 3, settings), cache.table(data, 4, settings)  # two more: the first is dropped
    assert cache.peek(data, 5, settings) is None and cache.peek(data, 4, settings) is not None
    cache.table(data, 5, settings)
    assert counted == [5, 3, 4, 5]


def test_a_dataset_without_usage_is_one_sentence_naming_it():
    with pytest.raises(InputError, match="'only stations' has no usage table"):
        ForecastCache().table(Dataset(name="only stations"), 5, Settings())


def test_a_warm_predict_usage_is_answered_from_the_cache_alone(tmp_path, monkeypatch):
    from evcore.api import create_app
    from evcore.api import forecasting

    client = TestClient(create_app(Settings(workspace=tmp_path / "ws", checkpoints=tmp_path / "models",
                                            lstm=QUICK_LSTM)))
    first = client.get("/predict-usage", params={"horizon": 3})
    assert first.status_code == 200 and len(first.json()["forecast"]) == 48 * 3

    def no_worker(*args):
        raise AssertionError("a warm request went to a worker thread")

    monkeypatch.setattr(forecasting, "answer", no_worker)
    assert client.get("/predict-usage", params={"horizon": 3}).json() == first.json()
    one = client.get("/predict-usage", params={"horizon": 3, "station_id": "SEA-001"}).json()
    assert one["forecast"] == [row for row in first.json()["forecast"] if row["station_id"] == "SEA-001"]
    assert client.get("/predict-usage", params={"horizon": 3, "station_id": "nope"}).status_code == 404
