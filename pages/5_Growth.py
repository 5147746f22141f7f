"""Growth scenarios: EVs per area up to a target year, and the placement and port capacity that
year needs beside today's."""

import streamlit as st

import ui
from evcore.errors import InputError
from evcore.growth import growth_factors, project_history, scale_demand
from evcore.growth.scenario import area_table
from evcore.services import place_sites
from evcore.viz.growth import growth_figure, growth_map

st.set_page_config(page_title="Growth", layout="wide")
st.title("Growth scenarios")
st.caption("How many EVs each area will have in a year you choose, and where stations and ports are needed then.")

dataset = ui.current_dataset()
history = dataset.history
if history is None or history.empty:
    st.info("This dataset has no adoption history (EVs by area and year), so there is nothing to project: on the "
            "home page, add a table of EVs by year and area (county, ZIP), or a vehicle list with a year and an area "
            "column such as the Washington EV population.")
    st.stop()
LAST = int(history["year"].max())
HORIZON = 15

left, right = st.columns(2)
year = left.slider("Target year", LAST + 1, LAST + HORIZON, LAST + 5, key="growth_year")
mode = right.radio("Growth", ["fitted", "percent"], horizontal=True, key="growth_mode",
                   format_func={"fitted": "Fitted (diffusion model)", "percent": "Percent a year"}.get)
rate = None
if mode == "percent":
    rate = right.number_input("Percent a year, every area", min_value=-50.0, max_value=200.0, value=15.0, step=1.0,
                              key="growth_rate") / 100


@st.cache_data(show_spinner="Fitting the diffusion model ...")
def _projection(fingerprint: str, rate, _history):
    return project_history(_history, LAST + HORIZON, rate=rate)


@st.cache_data(show_spinner="Placing stations ...")
def _place(fingerprint: str, k: int, year, rate, _demand):
    # a short search: the page compares two answers, the Placement page refines one
    model, result = place_sites(_demand, k, time_limit=3.0)
    return model.sites_table(), result


try:
    projection = _projection(dataset.fingerprint(), rate, history)
except InputError as exc:
    st.error(ui.as_text(exc))
    st.stop()
factors, overall = growth_factors(history, projection, year)
how = "the fitted diffusion model (80% interval)" if rate is None else f"{100 * rate:g}% a year in every area"
st.markdown(f"**{overall:.2f} times** as many EVs in {year} as in {LAST} ({how}).")
st.plotly_chart(growth_figure(history, projection, interval=rate is None), width="stretch")
if rate is None:
    st.caption("Each area follows a Bass diffusion curve whose shape all areas share (small areas borrow it); the "
               "band sums the areas' 80% intervals, which come from the model's own errors at earlier cut years.")

areas = area_table(history, projection, year, dataset.demand)
st.subheader(f"Growth by area, {LAST} to {year}")
if "latitude" in areas and areas["latitude"].notna().any():
    fmap = growth_map(areas, year)
    ui.show_map(fmap, key="growth_map", height=480)
    ui.html_download("Download the map (HTML)", fmap, f"growth_map_{year}.html", key="growth_map_html")
else:
    st.caption("The demand points name no area, so the areas cannot be drawn on a map.")
st.dataframe(areas.drop(columns=["latitude", "longitude"], errors="ignore"), hide_index=True, width="stretch",
             column_config={"now": st.column_config.NumberColumn(f"vehicles {LAST}", format="%.0f"),
                            "vehicles": st.column_config.NumberColumn(f"vehicles {year}", format="%.0f"),
                            "lower": st.column_config.NumberColumn("lower (80%)", format="%.0f"),
                            "upper": st.column_config.NumberColumn("upper (80%)", format="%.0f"),
                            "factor": st.column_config.NumberColumn("growth", format="× %.2f")})
down1, down2 = st.columns(2)
with down1:
    ui.csv_download(f"Download the areas in {year} (CSV)", areas, f"growth_areas_{year}.csv", key="growth_areas_csv")
with down2:
    ui.csv_download(f"Download the projection {LAST + 1}–{LAST + HORIZON} (CSV)", projection,
                    "growth_projection.csv", key="growth_projection_csv")

st.subheader(f"Placement: today and {year}")
if dataset.demand is None or dataset.demand.empty:
    st.info("This dataset has no demand points: add a demand file to see where new stations serve the demand of "
            f"{year}.")
else:
    k = st.slider("New stations (k)", 1, int(min(20, len(dataset.demand))), int(min(5, len(dataset.demand))),
                  key="growth_k")
    grown, notes = scale_demand(dataset.demand, factors, overall)
    for note in notes:
        st.caption(ui.as_text(note))
    try:
        today_sites, today = _place(dataset.fingerprint(), k, None, None, dataset.demand)
        year_sites, then = _place(dataset.fingerprint(), k, year, rate, grown)
    except InputError as exc:
        st.error(ui.as_text(exc))
        st.stop()
    cols = st.columns(2)
    for col, label, result, sites in ((cols[0], f"Today ({LAST})", today, today_sites),
                                      (cols[1], str(year), then, year_sites)):
        with col:
            st.metric(f"{label}: mean distance per vehicle", f"{result['mean_km']:.2f} km")
            st.dataframe(sites.drop(columns="candidate"), hide_index=True, width="stretch",
                         column_config={"served": st.column_config.NumberColumn("vehicles served", format="%.0f")})
    moved = len({tuple(s) for s in then["sites"]} - {tuple(s) for s in today["sites"]})
    st.caption(f"{moved} of the {k} sites differ between today and {year}.")
    ui.csv_download(f"Download the sites for {year} (CSV)", year_sites, f"sites_{year}.csv", key="growth_sites_csv")

st.subheader(f"Port capacity: today and {year}")
if dataset.sessions is None:
    st.info("Port capacity needs a session export (one row per charging session) in this dataset.")
else:
    from evcore.capacity import capacity_table

    try:
        now_ports = capacity_table(dataset, growth=1.0)
        year_ports = capacity_table(dataset, growth=overall)
    except InputError as exc:
        st.warning(ui.as_text(exc))
        st.stop()
    both = now_ports[["station_id", "ports", "blocking", "ports_needed"]].merge(
        year_ports[["station_id", "blocking", "ports_needed"]], on="station_id", suffixes=(" today", f" {year}"))
    st.caption(f"Arrivals grow with all areas' EVs: × {overall:.2f} by {year} (stations name no area). Ports needed "
               "keep blocking at or below 0.1.")
    st.dataframe(both, hide_index=True, width="stretch")
    ui.csv_download(f"Download ports today and in {year} (CSV)", both, f"ports_{year}.csv", key="growth_ports_csv")
