"""Streamlit glue shared by the pages: the chosen dataset and small rendering helpers.

The library (``evcore``) knows nothing of Streamlit; this module is the only shared UI code.
The home page opens a dataset of the workspace (``open_dataset``): the ``evcore.data.Dataset``
goes in ``st.session_state["dataset"]`` (None for the demo) and its id in
``st.session_state["dataset_id"]``; every page reads it with ``current_dataset()``. A new
session (a reload, a restart) reopens the dataset named by ``?dataset=<id>`` in the address, or
else the one opened last in the workspace.
"""

from __future__ import annotations

import re

import streamlit as st

from evcore.data import Dataset
from evcore.demo import demo_dataset
from evcore.forecast.store import NOTE

DATASET_KEY = "dataset"
DATASET_ID_KEY = "dataset_id"


@st.cache_data(show_spinner=False)
def load_demo() -> Dataset:
    return demo_dataset()


def workspace():
    from evcore.workspace import Workspace

    return Workspace(settings().workspace)


@st.cache_resource(show_spinner="Opening the dataset...", max_entries=8)
def _load_saved(folder: str, dataset_id: str, updated: str) -> Dataset:
    from evcore.workspace import Workspace

    return Workspace(folder).load(dataset_id)


def open_dataset(dataset_id: str, remember: bool = True) -> None:
    """Make ``dataset_id`` the dataset every page uses (``remember``: also the one a new session
    opens). Raises ``InputError`` when it cannot be opened."""
    from evcore.workspace import DEMO_ID

    ws = workspace()
    if dataset_id == DEMO_ID:
        dataset = None
    else:
        dataset = _load_saved(str(ws.folder), dataset_id, ws.info(dataset_id)["updated"])
    st.session_state[DATASET_KEY] = dataset
    st.session_state[DATASET_ID_KEY] = dataset_id
    if remember:
        ws.set_last_opened(dataset_id)


def current_dataset_id() -> str:
    current_dataset()
    from evcore.workspace import DEMO_ID

    return st.session_state.get(DATASET_ID_KEY) or DEMO_ID


def as_text(text) -> str:
    """Text from a file (a name, a note, an error naming a column) for Streamlit's markdown: every
    markdown character backslash-escaped, so it shows as written and is never a link, an image,
    a formula or a colored directive."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])", r"\\\1", str(text))


def show_store_note(table) -> None:
    """The sentence on ``table`` saying its model could not be kept in the model store, if it has one."""
    if table.attrs.get(NOTE):
        st.info(as_text(table.attrs[NOTE]))


def current_dataset() -> Dataset:
    if DATASET_KEY not in st.session_state:  # a new session: reopen what was open
        _reopen()
    dataset = st.session_state.get(DATASET_KEY)
    return dataset if dataset is not None else load_demo()


def _reopen() -> None:
    from evcore.errors import InputError
    from evcore.workspace import DEMO_ID

    try:
        wanted = st.query_params.get("dataset") or workspace().last_opened()
        open_dataset(wanted, remember=False)
    except InputError as exc:  # a deleted dataset or a damaged workspace: say so, show the demo
        st.session_state[DATASET_KEY] = None
        st.session_state[DATASET_ID_KEY] = DEMO_ID
        st.error(as_text(exc))


def show_map(folium_map, key: str, height: int = 460) -> None:
    """Draw a folium map that sends nothing back to Python (no reruns on pan or zoom), with our
    copies of Leaflet and jQuery served by Streamlit from static/ (enableStaticServing), so that
    maps draw on machines that cannot reach a CDN.

    st_folium draws a copy: it renders the map into its figure a second time, and a download of
    the map made afterwards would hold the map twice."""
    import copy

    from streamlit_folium import st_folium

    from evcore.viz.maps import leaflet_from

    shown = copy.deepcopy(folium_map)
    with leaflet_from(shown, "/app/static/"):
        st_folium(shown, height=height, returned_objects=[], key=key, use_container_width=True)


def html_download(label: str, folium_map, file_name: str, key: str | None = None) -> None:
    """A download button for a map as a standalone HTML page that draws with no network."""
    from evcore.viz.maps import standalone_html

    st.download_button(label, standalone_html(folium_map).encode("utf-8"), file_name=file_name,
                       mime="text/html", key=key)


def csv_download(label: str, table, file_name: str, key: str | None = None) -> None:
    """A download button for a table, as the user sees it (text cells cannot start a formula)."""
    from evcore.export import csv_text

    st.download_button(label, csv_text(table).encode("utf-8"), file_name=file_name,
                       mime="text/csv", key=key)


def settings():
    """The app's settings (``evcore.config.Settings``), read from the environment here only.

    Read on each run (it costs microseconds), so a changed environment is seen; the object is
    hashable and goes into the cache keys below."""
    from evcore.config import Settings

    return Settings.from_env()


def progress_bar(prefix: str = ""):
    """An empty slot and a ``progress(fraction, text)`` callback that draws a bar in it."""
    bar = st.empty()

    def progress(fraction: float, text: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=prefix + text)

    return bar, progress


def forecast_table(dataset: Dataset, horizon: int = 10):
    """Each station's forecast for the next ``horizon`` days: ``station_id, date, forecast,
    lower, upper`` (the Forecast page's table; the Clusters page's popups use it too).

    Trained once per dataset and settings, reused from the model store and cached. While the
    LSTM trains, a progress bar shows where it is. Raises ``evcore.errors.InputError`` when the
    dataset has no usage or too little of it (show it with ``st.error``). When the model could
    not be kept in the store, ``table.attrs[NOTE]`` says so (``show_store_note``).
    """
    current = settings()
    cache = _forecast_cache()
    fingerprint = dataset.fingerprint()  # hashes every table: once a call
    if cache.peek(dataset, horizon, current, fingerprint) is None:  # train (or load) outside any cached function: the bar is live
        bar, progress = progress_bar()
        try:
            return cache.table(dataset, horizon, current, progress=progress, fingerprint=fingerprint)
        finally:
            bar.empty()
    return cache.table(dataset, horizon, current, fingerprint=fingerprint)


def backtest(dataset: Dataset, horizon: int = 10, folds: int = 3):
    """The backtest of the dataset's forecast (``evcore.forecast.Backtest``), computed once per
    dataset, horizon and settings (kept with the model in the store), with a progress bar."""
    from evcore.forecast import cached_backtest

    current = settings()
    key = (dataset.fingerprint(), int(horizon), int(folds), current)
    results = _backtests()
    if key not in results:
        bar, progress = progress_bar("Backtest: ")
        try:
            results[key] = cached_backtest(dataset.usage, horizon=int(horizon), folds=int(folds), stations=dataset.stations,
                                           settings=current, progress=progress)
        finally:
            bar.empty()
    return results[key]


@st.cache_data(show_spinner=False)
def _history_matrix(fingerprint: str, _usage):
    from evcore.forecast import daily_matrix

    return daily_matrix(_usage)


def history_matrix(dataset: Dataset):
    """The dataset's wide daily usage matrix (date index, one column a station)."""
    return _history_matrix(dataset.fingerprint(), dataset.usage)


@st.cache_resource(show_spinner=False)
def _forecast_cache():
    """The library's forecast cache (the one the REST service uses), shared by pages and sessions."""
    from evcore.forecast.cache import ForecastCache

    return ForecastCache()


@st.cache_resource(show_spinner=False)
def _backtests() -> dict:
    """Backtests by (data fingerprint, horizon, folds, settings), shared by pages and sessions."""
    return {}
