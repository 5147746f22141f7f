"""Forecast: each station's daily usage for the next days, with an interval and a backtest."""

import streamlit as st

import ui
from evcore.errors import InputError
from evcore.export import file_stem, forecast_rows
from evcore.forecast.pipeline import MEMBERS
from evcore.viz.forecast import (BACKTEST_FORMATS, backtest_table, forecast_figure, members_text, per_station_wape,
                                 series_for, station_label)

st.set_page_config(page_title="Forecast", layout="wide")
st.title("Forecast")
st.caption("Daily usage per station for the coming days: per day, the median of one LSTM trained across "
           "all stations, seasonal exponential smoothing, exponential smoothing and the weekly seasonal naive "
           "(or, chosen on the data's own last 20 days, of the baselines alone, or of all four with the 7-day "
           "moving average too; the backtest shows each alone), with an 80% prediction interval sized on those "
           "20 days too, and how well it did on the last weeks of the data. One training per dataset serves "
           "every horizon and is kept in the model store (checkpoints/).")

dataset = ui.current_dataset()
if dataset.usage is None or dataset.usage.empty:
    st.info("This dataset has no usage table (energy or sessions per station and day), so there is "
            "nothing to forecast: add a usage file on the home page.")
    st.stop()

NETWORK = "Network total"
names = {}
if dataset.stations is not None and "name" in dataset.stations:
    names = dict(zip(dataset.stations["station_id"].astype(str), dataset.stations["name"].astype(str)))

left, right = st.columns(2)
with left:
    horizon = st.slider("Days ahead", 1, 30, 10)


try:
    table = ui.forecast_table(dataset, horizon)
    history = ui.history_matrix(dataset)
except InputError as exc:
    st.error(ui.as_text(exc))
    st.stop()

with right:
    station = st.selectbox("Station", [NETWORK] + list(history.columns), format_func=lambda s: station_label(s, names))

past, future = series_for(history, table, None if station == NETWORK else station)
title = station if station == NETWORK else names.get(station, station)
st.plotly_chart(forecast_figure(past, future, f"{title}: next {horizon} days", unit=dataset.usage_unit),
                width="stretch")
members = members_text(table.attrs.get(MEMBERS, []))
if members:
    st.caption(members)
ui.show_store_note(table)
if station == NETWORK:
    st.caption("The network's own 80% interval: the stations' intervals combined as their recent day-to-day "
               "surprises move together (narrower than their sum, wider than if stations were independent).")

rows = forecast_rows(table, dataset.usage_unit)
ui.csv_download("Download the forecast table (CSV)", rows, f"forecast_{file_stem(dataset.name)}_{horizon}d.csv",
                key="forecast_csv")
with st.expander("Forecast table"):
    st.dataframe(rows, hide_index=True, width="stretch")

st.subheader("Backtest")
try:
    result = ui.backtest(dataset, horizon, folds=3)
except InputError as exc:
    result = None
    st.warning(ui.as_text(exc))
if result is not None:
    st.caption(f"{result.folds} folds of {result.span} days at the end of the data, each scored on its first "
               f"{horizon} days: each fold trains on the days before it (one backtest serves every horizon). "
               "WAPE = total absolute error / total usage (lower is better); coverage = share of days inside "
               "the 80% interval (0.8 is right). Stations that never had usage are not scored. The shipped "
               "LSTM is, per day, the median of the members (the network and/or the baselines) chosen on each "
               "fold's own last weeks (see above).")
    summary = backtest_table(result.summary, dataset.usage_unit)
    st.dataframe(summary, hide_index=True, width="stretch",
                 column_config={column: st.column_config.NumberColumn(format=BACKTEST_FORMATS[i])
                                for i, column in enumerate(summary.columns[1:])})
    with st.expander("Backtest per station: WAPE (lower is better)"):
        st.dataframe(per_station_wape(result.per_station), width="stretch")
