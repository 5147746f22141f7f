"""Home: pick a saved dataset (the demo, an upload, stations fetched from Open Charge Map), add files
to it, see what was read, headline figures, a usage chart and a station map."""

import streamlit as st

from evcore.appending import measure_of
from evcore.viz.charts import network_usage_chart
from evcore.data import history_figures, sessions_per_day, station_summary, unlocated_stations, usage_span
from evcore.hourly import hourly_span_sentence
from evcore.errors import InputError
from evcore.io import read_file
from evcore.openchargemap import OpenChargeMapClient
from evcore.uploads import ADD, APPEND, NEW, save_readings
from evcore.viz.maps import stations_map
from evcore.workspace import DEMO_ID, demo_info
from ui import (DATASET_ID_KEY, current_dataset, current_dataset_id, csv_download, html_download, open_dataset,
                as_text, settings, show_map, workspace)
from ui_users import history_lines, may, signed_in_name

MAX_UPLOAD_MB = st.get_option("server.maxUploadSize")
MESSAGES_KEY = "workspace_messages"  # what the last action did: shown until the next one
MEASURES = {None: "detected (energy in kWh unless a column says hours)", "energy": "energy (kWh)",
            "occupancy": "plugged-in hours"}
ROUND_KEY = "uploader_round"  # a new uploader after each batch, so files are added once
FETCHED_KEY = "fetched_stations"  # (dataset id, annotated stations, unit) of the last fetch


@st.cache_data(show_spinner="Reading the file...", max_entries=20)
def read_upload(name: str, content: bytes, measure: str | None = None):
    """A Reading, or the one-sentence reason the file cannot be read."""
    try:
        return read_file(content, name=name, measure=measure), None
    except InputError as exc:
        return None, str(exc)


@st.cache_data(show_spinner=False)
def summarise(fingerprint: str, _dataset):
    return station_summary(_dataset.usage, _dataset.stations)


def dataset_label(info: dict) -> str:
    figures = ", ".join(f"{info[key]:,} {key}" for key in ("stations", "days", "points") if info.get(key))
    return f"{info['name']} ({figures})" if figures else info["name"]


def dataset_labels(datasets: list[dict]) -> dict[str, str]:
    """A label for each dataset id, with the id added where two labels would read the same (the
    browser tells the options apart by their text: twins would open the first of them)."""
    labels = {d["id"]: dataset_label(d) for d in datasets}
    twins = {label for label in labels.values() if list(labels.values()).count(label) > 1}
    return {i: f"{label} · {i}" if label in twins else label for i, label in labels.items()}


def finish(messages: list[tuple[str, str]]) -> None:
    """Keep what the action did (replacing earlier messages), empty the uploader, show the result."""
    st.session_state[MESSAGES_KEY] = messages
    st.session_state[ROUND_KEY] = st.session_state.get(ROUND_KEY, 0) + 1
    st.rerun()


def add_files(uploads, current_id: str, as_new: bool, new_name: str,
              measure: str | None = None) -> list[tuple[str, str]]:
    """Read the files and save them: a new dataset, or added to the open one (saying what each
    table added or replaced). Returns the messages to show."""
    messages, readings = [], []
    for upload in uploads:
        reading, error = read_upload(upload.name, upload.getvalue(), measure)
        if error:
            messages.append(("error", as_text(error)))
        else:
            readings.append(reading)
            messages.append(("success", f"**{as_text(reading.source)}**: {reading.kind}, detected as "
                                        f"{as_text(reading.format)}."))
    if not readings:
        return messages
    try:
        if as_new:
            info, _ = save_readings(workspace(), readings, NEW, name=new_name.strip() or "Uploaded data",
                                    by=signed_in_name())
            open_dataset(info["id"])
            messages.append(("info", f"Saved as the new dataset **{as_text(info['name'])}** "
                                     f"({', '.join(info['kinds'])})."))
        else:
            info, changes = save_readings(workspace(), readings, ADD, dataset_id=current_id, by=signed_in_name())
            open_dataset(current_id)
            messages.append(("info", f"**{as_text(info['name'])}**: " + " ".join(changes)))
    except InputError as exc:
        messages.append(("error", as_text(str(exc))))
    return messages


def annotated_fetch(stations, k: int, match_id: str | None, horizon: int):
    """The fetched stations with their k-means cluster (k > 0) and, with a dataset to match, the
    station of it within 100 m and that station's forecast (the figures of GET /predict-usage)."""
    from evcore.annotate import annotate_stations
    from evcore.api.forecasting import rows_by_station
    from ui import forecast_table

    reference = rows = None
    if match_id is not None:
        dataset = current_dataset() if match_id == current_dataset_id() else workspace().load(match_id)
        reference = dataset.stations
        if dataset.usage is not None and not dataset.usage.empty:
            rows = rows_by_station(forecast_table(dataset, horizon))
    return annotate_stations(stations, k=k or None, reference=reference, forecasts=rows)


def fetch_open_charge_map(ws, datasets: list[dict]) -> None:
    located = {d["id"]: d for d in datasets if "stations" in d["kinds"]}
    with st.expander("Fetch stations from Open Charge Map"):
        with st.form("ocm_fetch"):
            cols = st.columns(4)
            latitude = cols[0].number_input("Latitude", -90.0, 90.0, 47.6062, format="%.4f")
            longitude = cols[1].number_input("Longitude", -180.0, 180.0, -122.3321, format="%.4f")
            radius = cols[2].number_input("Radius (km)", 0.5, 500.0, 10.0, step=1.0)
            count = cols[3].number_input("How many", 1, 5000, 100, step=10)
            cols = st.columns(3)
            k = cols[0].number_input("Clusters (k-means; 0: none)", 0, 100, 0, key="ocm_k")
            match_id = cols[1].selectbox("Match the stations of", [None, *located], key="ocm_match",
                                         format_func=lambda i: "no dataset" if i is None else dataset_label(located[i]),
                                         help="A fetched station within 100 m of one of this dataset's stations "
                                              "shows that station's forecast.")
            horizon = cols[2].number_input("Forecast days", 1, 30, 10, key="ocm_horizon")
            key = st.text_input("Open Charge Map API key", type="password", key="ocm_key",
                                help="Kept in this browser session only, never saved. Leave empty to use "
                                     "the key the server was started with (OCM_API_KEY).")
            submitted = st.form_submit_button("Fetch stations")
    if not submitted:
        return
    try:
        with st.spinner("Asking Open Charge Map..."):
            reading = OpenChargeMapClient(settings(), api_key=key or None).fetch_stations(
                latitude, longitude, radius, int(count))
        annotated = annotated_fetch(reading.dataset.stations, int(k), match_id, int(horizon))
        unit = located[match_id]["usage_unit"] if match_id else "kWh"
        info = ws.save(reading.dataset, source=reading.source, by=signed_in_name())
        st.session_state[FETCHED_KEY] = (info["id"], annotated, unit)
        open_dataset(info["id"])
        finish([("success", f"Saved {info['stations']} stations from Open Charge Map as the new dataset "
                            f"**{as_text(info['name'])}**.")])
    except InputError as exc:
        finish([("error", as_text(str(exc)))])


def show_history(current_id: str) -> None:
    """Who added, changed, renamed or deleted this dataset (and any dataset, deleted ones too)."""
    try:
        this, every = ([] if current_id == DEMO_ID else history_lines(current_id)), history_lines()
    except InputError:  # a damaged workspace: the error above says so
        return
    if this:
        st.caption("Last change: " + this[0][2:])
    if every:
        with st.expander("Who changed what"):
            st.markdown("\n".join(this) if this else "Nothing has changed this dataset.")
            st.markdown("**Every dataset** (deleted ones too), newest first:\n" + "\n".join(every))


def append_usage_panel(ws, current_id: str, info: dict) -> None:
    """New days or hours of usage appended to the open dataset (a station's day already there is
    replaced, never counted twice)."""
    if "usage" not in info["kinds"]:
        return
    with st.expander("Append new usage"):
        uploads = st.file_uploader("Usage files with the new days or hours (any usage layout): a station's day or "
                                   "hour already in the dataset is replaced, never counted twice.",
                                   accept_multiple_files=True, key=f"append_{st.session_state.get(ROUND_KEY, 0)}")
    if not uploads:
        return
    measure = measure_of(info["usage_unit"])  # a wide hourly file read in the dataset's own unit
    read = [read_upload(upload.name, upload.getvalue(), measure) for upload in uploads]
    messages = [("error", as_text(error)) for _, error in read if error]
    if not messages:
        try:
            info, changes = save_readings(ws, [reading for reading, _ in read], APPEND, dataset_id=current_id,
                                          by=signed_in_name())
            open_dataset(current_id)
            messages.append(("success", f"**{as_text(info['name'])}**: " + " ".join(changes)))
        except InputError as exc:
            messages.append(("error", as_text(str(exc))))
    finish(messages)


def workspace_panel() -> None:
    """The saved datasets: open, rename, delete; add files; fetch stations from Open Charge Map."""
    ws = workspace()
    current_dataset()  # a new session reopens the dataset it had open
    try:
        datasets = ws.list()
    except InputError as exc:
        st.error(as_text(str(exc)))
        datasets = [demo_info()]
    by_id = {d["id"]: d for d in datasets}
    current_id = st.session_state.get(DATASET_ID_KEY) or DEMO_ID
    if current_id not in by_id:
        current_id = DEMO_ID
    ids = list(by_id)
    choice = st.selectbox("Dataset", ids, index=ids.index(current_id), key=f"dataset_choice_{current_id}",
                          format_func=dataset_labels(datasets).get,
                          help="Everything uploaded or fetched is saved in the workspace and listed here.")
    if choice != current_id:
        try:
            open_dataset(choice)
            finish([])
        except InputError as exc:
            finish([("error", as_text(str(exc)))])
    if current_id == DEMO_ID:
        st.query_params.pop("dataset", None)
    else:
        st.query_params["dataset"] = current_id
    info = by_id[current_id]
    when = f", saved {info['created'][:16].replace('T', ' ')} UTC" if info.get("created") else ""
    st.caption(f"{', '.join(info['kinds']) or 'no tables'}; from {as_text(info['source'])}{when}.")
    show_history(current_id)
    if not may("analyst"):
        st.caption("You are signed in as a viewer: uploading, appending, renaming, deleting and fetching need an "
                   "analyst.")
        for level, text in st.session_state.get(MESSAGES_KEY, []):
            getattr(st, level)(text)
        return

    if current_id != DEMO_ID:
        with st.expander("Rename or delete this dataset"):
            new_name = st.text_input("Name", value=info["name"], key=f"rename_{current_id}")
            cols = st.columns(2)
            if cols[0].button("Rename", key="rename_button"):
                try:
                    ws.rename(current_id, new_name, by=signed_in_name())
                    open_dataset(current_id)
                    finish([("success", f"Renamed to **{as_text(new_name.strip())}**.")])
                except InputError as exc:
                    finish([("error", as_text(str(exc)))])
            sure = cols[1].checkbox("Yes, delete it", key="delete_sure")
            if cols[1].button("Delete", key="delete_button", disabled=not sure):
                try:
                    ws.delete(current_id, by=signed_in_name())
                except InputError as exc:
                    finish([("error", as_text(str(exc)))])
                open_dataset(DEMO_ID)
                finish([("success", f"Deleted **{as_text(info['name'])}**; the demo data is open.")])

    # One box a dataset: the dataset a save makes opens with the box unticked, so its next files go to it.
    as_new = current_id == DEMO_ID or st.checkbox("Save the next files as a new dataset",
                                                  key=f"upload_as_new_{current_id}")
    new_name = st.text_input("Name of the new dataset", value="Uploaded data", key="new_name") if as_new else ""
    measure = st.radio("A usage table's values are", list(MEASURES), format_func=MEASURES.get, horizontal=True,
                       key="upload_measure", help="Plugged-in hours (e.g. charging hours per hour) give the Load & "
                                                  "capacity page its occupancy.")
    uploads = st.file_uploader(
        ("Upload files (saved as a new dataset)" if as_new else "Add files to this dataset (a file of a kind "
         "it has replaces that table)")
        + f": usage, stations, demand and adoption histories as CSV, or Open Charge Map JSON (up to {MAX_UPLOAD_MB} MB each). "
          "The format is detected from the content.",
        type=None, accept_multiple_files=True, key=f"uploads_{st.session_state.get(ROUND_KEY, 0)}")
    if uploads:
        finish(add_files(uploads, current_id, as_new, new_name, measure))
    if current_id != DEMO_ID:
        append_usage_panel(ws, current_id, info)
    for level, text in st.session_state.get(MESSAGES_KEY, []):
        getattr(st, level)(text)
    fetch_open_charge_map(ws, datasets)
    fetched = st.session_state.get(FETCHED_KEY)
    if fetched and fetched[0] == current_id and ("cluster" in fetched[1] or "matched_station_id" in fetched[1]):
        from evcore.viz.clusters import fetched_stations_map

        st.markdown("**Fetched stations**: clusters and the forecasts of the matched stations (click a station)")
        show_map(fetched_stations_map(fetched[1], fetched[2]), key="fetched_map")


def home() -> None:
    st.title("⚡ EV charging planner")
    st.caption("Forecast station usage, group stations by location and find where new stations serve "
               "drivers best. Start with the demo data or bring your own files.")
    workspace_panel()

    dataset = current_dataset()
    st.subheader(as_text(dataset.name))
    if dataset.notes:
        with st.expander("What was read, dropped or repaired", expanded=current_dataset_id() != DEMO_ID):
            for note in dataset.notes:
                st.markdown(f"- {as_text(note)}")

    if dataset.usage is not None:
        usage, unit = dataset.usage, dataset.usage_unit
        summary = summarise(dataset.fingerprint(), dataset)
        start, end, days = usage_span(usage)
        per_day = usage.groupby("date")["usage"].sum().mean()
        cols = st.columns(5)
        cols[0].metric("Stations", f"{usage['station_id'].nunique():,}")
        cols[1].metric("Days", f"{days:,}", help=f"{start:%d %b %Y} to {end:%d %b %Y}")
        cols[2].metric(f"Total ({unit})", f"{usage['usage'].sum():,.0f}")
        cols[3].metric(f"Network per day ({unit})", f"{per_day:,.0f}")
        if dataset.sessions is not None:
            cols[4].metric("Sessions per day", f"{sessions_per_day(dataset.sessions):,.1f}")
        else:
            cols[4].metric("Active stations", f"{int((summary['total'] > 0).sum()):,}",
                           help="Stations with any usage in the period")
        st.caption(f"Data from {usage['date'].min():%d %b %Y} to {usage['date'].max():%d %b %Y}. "
                   + hourly_span_sentence(dataset.hourly))
        st.plotly_chart(network_usage_chart(usage, unit), width="stretch")
        st.markdown("**Busiest stations**")
        busiest = summary.head(10)[["station_id", "name", "days", "total", "mean_daily", "recent_daily"]]
        one_decimal = st.column_config.NumberColumn(format="%.1f")  # one format a column: 206.0 and 671.4
        st.dataframe(busiest.rename(columns={"total": f"total ({unit})", "mean_daily": f"mean daily ({unit})",
                                             "recent_daily": f"last 28 days, daily ({unit})"}),
                     hide_index=True, width="stretch",
                     column_config={f"total ({unit})": st.column_config.NumberColumn(format="%.0f"),
                                    f"mean daily ({unit})": one_decimal,
                                    f"last 28 days, daily ({unit})": one_decimal})
        csv_download("Download the station summary (CSV)", summary, "station_summary.csv")
    else:
        summary = None
        st.info("No usage file yet: the Forecast page needs one.")

    if dataset.stations is not None and len(dataset.stations):
        st.markdown(f"**Stations on the map** ({len(dataset.stations)})")
        station_map = stations_map(dataset.stations, summary, dataset.usage_unit)
        show_map(station_map, key="home_map")
        missing = unlocated_stations(dataset)
        if missing:
            st.caption(f"Not on the map: {len(missing)} stations have usage but no coordinates "
                       f"({as_text(', '.join(missing[:5]))}{', ...' if len(missing) > 5 else ''}).")
        csv_download("Download the stations (CSV)", dataset.stations, "stations.csv")
        html_download("Download the map (HTML)", station_map, "stations_map.html", key="home_map_html")
    elif dataset.usage is not None:
        st.info("No station coordinates yet: upload a stations file (CSV with latitude/longitude or Open "
                "Charge Map JSON) to see the map and use the Clusters page.")

    if dataset.demand is not None:
        st.caption(f"EV demand: {dataset.demand['weight'].sum():,.0f} vehicles at {len(dataset.demand):,} "
                   "locations (used by the Placement page).")
    if dataset.history is not None:
        figures = history_figures(dataset.history)
        st.caption(f"Adoption history: {figures['areas']:,} areas, {figures['first_year']}–{figures['last_year']}, "
                   f"{figures['vehicles']:,} EVs in {figures['last_year']} (used by the Growth page).")


home()
