"""Placement: where k new stations serve the EV demand best."""

import hashlib

import streamlit as st

import ui
from evcore.errors import InputError
from evcore.geo import separation_note
from evcore.io import read_points
from evcore.placement import PMedian, coverage_curve, sites_needed
from evcore.services import place_sites
from evcore.viz.placement import coverage_curve_figure, placement_map

st.set_page_config(page_title="Placement", layout="wide")
st.title("Placement")
st.caption("Where should the next stations go, and how many bring most drivers within a few kilometres of a charger?")

dataset = ui.current_dataset()
if dataset.demand is None or dataset.demand.empty:
    st.info("This dataset has no demand points (where the vehicles are), so there is nothing to place "
            "stations for: add a demand file, such as the Washington EV population, on the home page.")
    st.stop()

demand = dataset.demand
stations = dataset.stations if dataset.stations is not None and not dataset.stations.empty else None

uploaded = st.file_uploader("Candidate sites (optional): a file of places where a station could go, such as "
                            "parking lots; the demand points themselves when none is given",
                            type=["csv", "json", "geojson", "txt"], key="candidate_sites")


@st.cache_data(show_spinner="Reading the candidate sites ...")
def read_candidates(data: bytes, name: str):
    return read_points(data, name)[["latitude", "longitude"]].reset_index(drop=True)


candidate_table, candidates_key = None, None
if uploaded is not None:
    candidates_key = hashlib.sha256(uploaded.getvalue()).hexdigest()  # the file's bytes, not its rows, key the answers
    try:
        candidate_table = read_candidates(uploaded.getvalue(), uploaded.name)
    except InputError as exc:
        st.error(ui.as_text(exc))
        st.stop()
    st.caption(f"{len(candidate_table):,} candidate sites from {ui.as_text(uploaded.name)}.")
candidates = (candidate_table if candidate_table is not None
              else demand[["latitude", "longitude"]].drop_duplicates())

left, right = st.columns(2)
with left:
    if len(candidates) > 1:
        k = st.slider("New stations (k)", 1, int(min(50, len(candidates))), int(min(5, len(candidates))))
    else:  # a slider from 1 to 1 cannot be drawn
        k = 1
        st.caption("New stations (k): 1, the demand has a single location.")
    radius = st.slider("Radius R (km)", 0.5, 30.0, 5.0, 0.5)
with right:
    keep = st.checkbox("Keep the existing stations (none in this dataset)" if stations is None
                       else f"Keep the {len(stations)} existing stations", value=stations is not None,
                       disabled=stations is None)
    objective = st.radio("Objective", ["distance", "coverage"], horizontal=True,
                         format_func={"distance": "Shortest distance (p-median)",
                                      "coverage": "Most within R km (coverage)"}.get)
    exact = st.radio("Solver", ["fast", "exact"], horizontal=True,
                     format_func={"fast": "Fast (heuristic)", "exact": "Exact (MILP, slower)"}.get) == "exact"
st.caption("Shortest distance brings every vehicle as close as it can to a station on average, far-out "
           "drivers included; coverage brings the most vehicles within R km and ignores those it cannot reach.")

existing = stations if keep else None
if existing is not None:
    far_apart = separation_note(existing["latitude"], existing["longitude"], demand["latitude"], demand["longitude"])
    if far_apart:
        st.warning(ui.as_text(far_apart))


# The pages' one caching style: keyed on the dataset's fingerprint (and the upload's id) and the
# settings; the tables themselves pass unhashed (a leading underscore), a million rows included.
@st.cache_data(show_spinner="Placing stations ...")
def solve(fingerprint, candidates_key, keep, k, radius, objective, exact, _demand, _candidates, _existing,
          _progress=None):
    # The exact solver stops after a minute and then says its answer is not proven optimal.
    model, _ = place_sites(_demand, k, candidates=_candidates, existing=_existing, radius_km=radius,
                           objective=objective, exact=exact, time_limit=60.0 if exact else None,
                           progress=_progress)
    return model


@st.cache_data(show_spinner="Computing the coverage curve ...")
def curve(fingerprint, candidates_key, keep, radius, k_max, _demand, _candidates, _existing):
    return coverage_curve(PMedian.from_points(_demand, k=0 if _existing is not None else 1, candidates=_candidates,
                                              existing=_existing), radius, k_max, time_limit=0.15)


fingerprint = dataset.fingerprint()
# A large problem takes a minute: say how it gets on (a cached answer comes back at once).
bar, progress = ui.progress_bar()
try:
    model = solve(fingerprint, candidates_key, keep, k, radius, objective, exact, demand, candidate_table, existing,
                  _progress=progress)
    bar.empty()
except InputError as exc:
    st.error(ui.as_text(exc))
    st.stop()

figures = model.figures(radius)
baseline = figures.get("existing_only")
cols = st.columns(4)
cols[0].metric("Mean distance per vehicle", f"{figures['mean_km']:.2f} km",
               None if baseline is None else f"{figures['mean_km'] - baseline['mean_km']:+.2f} km vs existing",
               delta_color="inverse")
cols[1].metric("90% of vehicles within", f"{figures['p90_km']:.2f} km",
               None if baseline is None else f"{figures['p90_km'] - baseline['p90_km']:+.2f} km vs existing",
               delta_color="inverse")
cols[2].metric(f"Vehicles within {radius:g} km", f"{100 * figures['share_within_radius']:.1f}%",
               None if baseline is None else f"{100 * figures['share_within_radius_gained']:+.1f} pts vs existing")
proof = "proven optimal" if model.optimal_ else (
    "gap unknown" if model.gap_ is None else f"at most {100 * model.gap_:.2f}% from optimal")
cols[3].metric("Solver", "exact" if exact else "fast", f"{proof}, {model.seconds_:.1f} s", delta_color="off",
               delta_arrow="off")

solution = model.view(radius)
fmap = placement_map(solution, stations=existing)
ui.show_map(fmap, key="placement_map", height=520)

sites = solution.sites.copy()
sites.insert(0, "site", range(1, len(sites) + 1))
shown = sites.assign(served_share=100 * sites["served_share"])
within = f" within {radius:g} km" if solution.covers else ""
st.dataframe(shown, hide_index=True, width="stretch", column_config={
    "latitude": st.column_config.NumberColumn(format="%.5f"),
    "longitude": st.column_config.NumberColumn(format="%.5f"),
    "served": st.column_config.NumberColumn(f"vehicles served{within}", format="%.0f"),
    "served_share": st.column_config.NumberColumn(f"share served{within}", format="%.1f%%"),
    "mean_km_served": st.column_config.NumberColumn("mean km of those served", format="%.2f"),
})
down1, down2 = st.columns(2)
with down1:
    ui.csv_download("Download the proposed sites (CSV)", sites, "proposed_sites.csv", key="sites_csv")
with down2:
    ui.html_download("Download the map (HTML)", fmap, "placement_map.html", key="map_html")

st.subheader(f"How many stations for 90% within {radius:g} km?")
k_max = int(min(40, len(candidates)))
try:
    shares = curve(fingerprint, candidates_key, keep, radius, k_max, demand, candidate_table, existing)
except InputError as exc:  # e.g. too many pairs within the radius for a state-sized problem
    st.error(ui.as_text(exc))
    st.stop()
st.plotly_chart(coverage_curve_figure(shares, 0.9), width="stretch")
needed = sites_needed(shares, 0.9)
if needed is not None:
    st.markdown(f"**{needed} new station{'s' if needed != 1 else ''}** bring 90% of the vehicles within "
                f"{radius:g} km of a station.")
st.caption(("Each point is the coverage heuristic's best share with that many new sites"
            + (" on top of the existing stations (k = 0: existing alone)." if existing is not None else ".")
            + ("" if needed is not None else f" 90% is not reached with {k_max} new sites.")))
