"""Streamlit glue shared by the pages: the chosen dataset and small rendering helpers.

The library (``evcore``) knows nothing of Streamlit; this module is the only shared UI code.
The home page puts the chosen ``evcore.data.Dataset`` in ``st.session_state["dataset"]``;
every page reads it with ``current_dataset()`` (the demo data when nothing was chosen).
"""

from __future__ import annotations

import re

import streamlit as st

from evcore.data import Dataset
from evcore.demo import demo_dataset

DATASET_KEY = "dataset"


@st.cache_data(show_spinner=False)
def load_demo() -> Dataset:
    return demo_dataset()


def as_text(text) -> str:
    """Text from a file (a name, a note, an error naming a column) for Streamlit's markdown: every
    markdown character backslash-escaped, so it shows as written and is never a link, an image,
    a formula or a coloured directive."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])", r"\\\1", str(text))


def current_dataset() -> Dataset:
    dataset = st.session_state.get(DATASET_KEY)
    return dataset if dataset is not None else load_demo()


# Our copies of Leaflet and jQuery (folium's popups use it), served by Streamlit from static/
# (enableStaticServing), so that maps draw on machines that cannot reach a CDN. Downloaded HTML
# maps carry them inline (evcore.viz.maps.standalone_html).
LOCAL_LEAFLET_JS = [("leaflet", "/app/static/leaflet/leaflet.js"),
                    ("jquery", "/app/static/jquery/jquery.min.js")]
LOCAL_LEAFLET_CSS = [("leaflet_css", "/app/static/leaflet/leaflet.css")]


def show_map(folium_map, key: str, height: int = 460) -> None:
    """Draw a folium map that sends nothing back to Python (no reruns on pan or zoom)."""
    from streamlit_folium import st_folium

    folium_map.default_js, folium_map.default_css = LOCAL_LEAFLET_JS, LOCAL_LEAFLET_CSS
    try:
        st_folium(folium_map, height=height, returned_objects=[], key=key, use_container_width=True)
    finally:  # the same map object is downloaded next, with Leaflet inlined
        del folium_map.default_js, folium_map.default_css


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


def forecast_table(dataset: Dataset, horizon: int = 10):
    """Each station's forecast for the next ``horizon`` days: ``station_id, date, forecast,
    lower, upper`` (the Forecast page's table; the Clusters page's popups use it too).

    Trained once per dataset and settings, reused from ``checkpoints/`` and cached. While the
    LSTM trains, a progress bar shows where it is. Raises ``evcore.errors.InputError`` when the
    dataset has no usage or too little of it (show it with ``st.error``).
    """
    from evcore.errors import InputError
    from evcore.forecast import forecast_table as library_forecast_table
    from evcore.forecast import lstm_settings

    if dataset.usage is None or dataset.usage.empty:
        raise InputError(f"The dataset {dataset.name!r} has no usage table to forecast from.")
    key = (dataset.fingerprint(), int(horizon), repr(lstm_settings()))
    tables = _forecast_tables()
    if key not in tables:  # train (or load the checkpoint) outside any cached function: the bar is live
        bar = st.empty()
        try:
            tables[key] = library_forecast_table(
                dataset.usage, horizon=int(horizon),
                progress=lambda fraction, text: bar.progress(min(max(fraction, 0.0), 1.0), text=text))
        finally:
            bar.empty()
    return tables[key].copy()


@st.cache_resource(show_spinner=False)
def _forecast_tables() -> dict:
    """Forecast tables by (data fingerprint, horizon, settings), shared by pages and sessions."""
    return {}
