"""Load & capacity: when stations are busy (hour-of-week heatmaps), the hourly forecast, and how
many ports each station needs (Erlang-B, DESIGN.md "Capacity")."""

import pandas as pd
import streamlit as st

import ui
from evcore.capacity import WINDOW_DAYS, capacity_table, capacity_window
from evcore.errors import InputError
from evcore.forecast.hourly_pipeline import HourlyData, forecast_tables, stored_hourly, trained_hourly
from evcore.forecast.store import with_store_note
from evcore.hourly import hour_of_week, hourly_measures, hourly_span_sentence
from evcore.viz.load import hour_of_week_heatmap
from evcore.viz.load_forecast import load_forecast_chart

st.set_page_config(page_title="Load & capacity", layout="wide")
st.title("Load & capacity")
st.caption("When each station is busy, hour by hour, and how many ports it needs so that a driver rarely finds "
           "every port taken.")

dataset = ui.current_dataset()
if dataset.hourly is None and dataset.sessions is None:
    st.info("This dataset has daily values only: upload a session export (one row per charging session) or an "
            "hourly table on the home page to see hourly load and port capacity.")
    st.stop()
st.caption(ui.as_text(hourly_span_sentence(dataset.hourly)))

UNITS = {"energy": "kWh per hour", "occupancy": "ports plugged in"}
LABELS = {"energy": "Energy (kWh per hour = mean kW)", "occupancy": "Occupancy (plugged-in ports)"}
NETWORK = "Network total"
names = {}
if dataset.stations is not None and "name" in dataset.stations:
    names = dict(zip(dataset.stations["station_id"].astype(str), dataset.stations["name"].astype(str)))


@st.cache_data(show_spinner=False)
def _profile(fingerprint: str, measure: str, station_id: str | None, _hourly):
    return hour_of_week(_hourly, measure, station_id)


@st.cache_data(show_spinner=False)
def _hourly_data(fingerprint: str, _hourly):
    return HourlyData(_hourly)


@st.cache_resource(show_spinner=False)
def _load_forecasts() -> dict:
    """30-day hourly forecast tables by (data fingerprint, settings), shared by sessions."""
    return {}


def _stored_load_forecast(data, settings):
    """The forecast tables when the model is in memory or in the store (nothing is trained)."""
    key = (data.fingerprint, settings)
    if key not in _load_forecasts():
        model = stored_hourly(data, settings)
        if model is None:
            return None
        _load_forecasts()[key] = forecast_tables(model, data, 30)
    return _load_forecasts()[key]


def _trained_load_forecast(data, settings, progress):
    """The forecast tables of a model trained now, with the store's note when it could not keep
    the model (a new server process trains it again)."""
    model, metadata = trained_hourly(data, settings, progress)
    _load_forecasts()[(data.fingerprint, settings)] = with_store_note(metadata, *forecast_tables(model, data, 30))
    return _load_forecasts()[(data.fingerprint, settings)]


@st.cache_data(show_spinner="Working out the capacity...")
def _capacity(fingerprint: str, target: float, growth: float, _dataset):
    return capacity_table(_dataset, target=target, growth=growth), capacity_window(_dataset)


st.subheader("Hour of the week")
measures = hourly_measures(dataset.hourly)
if measures:
    left, right = st.columns(2)
    measure = left.radio("Measure", measures, format_func=LABELS.get, horizontal=True, key="load_measure")
    stations = sorted(dataset.hourly["station_id"].unique())
    station = right.selectbox("Station", [NETWORK] + stations, key="load_station",
                              format_func=lambda s: s if s == NETWORK or s not in names else f"{names[s]} ({s})")
    chosen = None if station == NETWORK else station
    profile = _profile(dataset.fingerprint(), measure, chosen, dataset.hourly)
    title = f"{station if chosen is None else names.get(station, station)}: mean {UNITS[measure]} by hour of the week"
    st.plotly_chart(hour_of_week_heatmap(profile, title, UNITS[measure]), width="stretch")
    st.caption("Each cell is the mean over every week of the data" + (" of all stations together." if chosen is None
                                                                      else "."))
    ui.csv_download("Download the hour-of-week table (CSV)",
                    profile.rename(columns={"value": f"mean {UNITS[measure]}"}),
                    f"hour_of_week_{measure}.csv", key="hour_of_week_csv")

st.subheader("Hourly forecast")
if measures:
    hourly_data = forecast = None
    try:
        hourly_data = _hourly_data(dataset.fingerprint(), dataset.hourly)
        forecast = _stored_load_forecast(hourly_data, ui.settings())
    except InputError as exc:
        st.warning(ui.as_text(exc))
    if hourly_data is not None and forecast is None and st.button("Train the hourly model", key="load_train"):
        bar, progress = ui.progress_bar("Hourly model: ")
        try:
            forecast = _trained_load_forecast(hourly_data, ui.settings(), progress)
        except InputError as exc:
            st.warning(ui.as_text(exc))
        finally:
            bar.empty()
    if hourly_data is not None and forecast is None:
        st.caption("The hourly model of this dataset is not trained yet: one training (one to two minutes for fifty "
                   "stations and six months) serves every station and horizon, and is kept for the next visit.")
    elif forecast is not None:
        hourly_rows, peak_rows = forecast
        ui.show_store_note(hourly_rows)
        unit = UNITS[hourly_data.measure]
        left, right = st.columns(2)
        days = left.slider("Days ahead", min_value=1, max_value=30, value=7, key="load_horizon")
        forecast_station = right.selectbox("Station", list(hourly_data.wide.columns), key="load_forecast_station",
                                           format_func=lambda s: f"{names[s]} ({s})" if s in names else s)
        shown_hours = hourly_rows[hourly_rows["time"] < hourly_rows["time"].min() + pd.Timedelta(days=days)]
        shown_peaks = peak_rows[peak_rows["date"] < peak_rows["date"].min() + pd.Timedelta(days=days)]
        one = lambda table: table[table["station_id"] == forecast_station]  # noqa: E731
        title = f"{names.get(forecast_station, forecast_station)}: {unit}, next {days} days"
        st.plotly_chart(load_forecast_chart(one(shown_hours), one(shown_peaks), title, unit), width="stretch")
        st.caption("The line is the most likely value of each hour, the band holds 80% of outcomes; each diamond is "
                   "the day's peak hour with its own 80% interval (a day's largest hour is usually above the "
                   "largest typical hour).")
        ui.csv_download("Download the hourly forecast (CSV)", shown_hours, f"hourly_forecast_{days}d.csv",
                        key="load_forecast_csv")
        ui.csv_download("Download the daily peaks (CSV)", shown_peaks, f"daily_peaks_{days}d.csv",
                        key="load_peaks_csv")

st.subheader("Port capacity")
left, right = st.columns(2)
growth = left.number_input("Demand growth factor (1.0 = today's demand)", min_value=0.1, max_value=100.0, value=1.0,
                           step=0.1, format="%.2f", key="capacity_growth")
target = right.number_input("Target blocking (chance a driver finds every port busy)", min_value=0.001,
                            max_value=0.5, value=0.1, step=0.01, format="%.3f", key="capacity_target")
try:
    table, (start, end) = _capacity(dataset.fingerprint(), float(target), float(growth), dataset)
except InputError as exc:
    st.warning(ui.as_text(exc))
    st.stop()

st.caption(f"Over the {WINDOW_DAYS} days from {start:%d %b %Y} to {end - pd.Timedelta(days=1):%d %b %Y} "
           "(the data's last day is left out: it may be cut short), busiest first. Blocking is Erlang-B for the "
           "ports at today's arrivals in the busiest hour of the week times the growth factor; ports needed is the "
           "fewest ports that keep blocking at or below the target; observed all busy is what happened: the share "
           "of minutes with every port in use" + (" (of hours, from occupancy)." if dataset.sessions is None else "."))
if dataset.sessions is None:
    st.info("This dataset has hourly occupancy but no sessions: arrivals, plugged-in hours, blocking and ports "
            "needed need a session export.")
over = table[table["utilisation"] > 1]
if len(over):
    st.warning(f"{len(over)} stations were plugged in for more port-hours than their port count allows "
               f"({ui.as_text(', '.join(over['station_id'].head(5)))}{', ...' if len(over) > 5 else ''}): their port "
               "count in the data is too low.")
shown = table.rename(columns={
    "station_id": "station", "utilisation": "utilisation (share of port-hours)",
    "arrivals_per_hour": "arrivals per hour (busiest hour)", "mean_plugged_hours": "mean plugged-in time (h)",
    "blocking": "blocking (probability)", "ports_needed": f"ports needed (blocking ≤ {target:g})",
    "observed_all_busy": "observed all busy (share of time)", "ports_source": "port count from"})
percent = st.column_config.NumberColumn(format="%.3f")
st.dataframe(shown, hide_index=True, width="stretch",
             column_config={"utilisation (share of port-hours)": percent, "blocking (probability)": percent,
                            "observed all busy (share of time)": percent,
                            "arrivals per hour (busiest hour)": st.column_config.NumberColumn(format="%.2f"),
                            "mean plugged-in time (h)": st.column_config.NumberColumn(format="%.2f")})
ui.csv_download("Download the capacity table (CSV)", table.assign(target=target, growth=growth),
                f"capacity_target{target:g}_growth{growth:g}.csv", key="capacity_csv")
