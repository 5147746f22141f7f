"""Folium map builders (pure functions returning ``folium.Map``), the text escaping every map
uses, the legend, and the standalone HTML page (Leaflet and jQuery inlined, for offline use)."""

from __future__ import annotations

import base64
import html
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import folium
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

TILES = "OpenStreetMap"
# Our copies of Leaflet (BSD-2) and jQuery (MIT); folium's popups need jQuery.
STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
INLINE_JS = [("leaflet", "leaflet/leaflet.js"), ("jquery", "jquery/jquery.min.js")]
INLINE_CSS = [("leaflet_css", "leaflet/leaflet.css")]
INLINE_PREFIX = "evcore-inline:"  # marks the links standalone_html replaces with the files themselves
LEGEND_ROWS = 10
# Station-list columns shown in a station's popup where present: (column, label, format).
STATION_DETAILS = [("town", "Town", "{}"), ("ports", "Charging points", "{:,.0f}"), ("power_kw", "Power (kW)", "{:g}")]
LEGEND_BOTTOM_PX = 34  # above the scale bar


def escape_text(value) -> str:
    """Text from files or the network, made safe for folium's tooltips and popups: HTML-escaped,
    and with the characters that mean something inside folium's JavaScript template literals
    (backtick, ``$`` of ``${...}``, backslash) written as HTML entities, which the browser shows
    as the characters themselves."""
    text = html.escape(str(value), quote=True)
    return text.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def add_legend(fmap: folium.Map, title: str, entries: list[tuple[str, str]]) -> folium.Map:
    """A small fixed legend in the map's corner, above the scale bar: ``entries`` are (color,
    label) pairs, in columns of at most ``LEGEND_ROWS`` so that every row shows (no scrolling)."""
    rows = "".join(
        f"<div><span style='display:inline-block;width:11px;height:11px;border-radius:50%;"
        f"background:{escape_text(color)};margin-right:6px;border:1px solid #555'></span>"
        f"{escape_text(label)}</div>" for color, label in entries)
    columns = max(1, -(-len(entries) // LEGEND_ROWS))
    box = (f"<div class='evcore-legend' style='position:absolute;bottom:{LEGEND_BOTTOM_PX}px;left:10px;"
           f"z-index:1000;background:rgba(255,255,255,.92);padding:6px 9px;border-radius:4px;"
           f"font:12px sans-serif;box-shadow:0 0 4px rgba(0,0,0,.4)'><b>{escape_text(title)}</b>"
           f"<div style='display:grid;grid-template-columns:repeat({columns},auto);grid-auto-flow:column;"
           f"grid-template-rows:repeat({min(len(entries), LEGEND_ROWS)},auto);column-gap:12px'>{rows}</div></div>")
    fmap.get_root().html.add_child(folium.Element(box))
    return fmap


class _MapSetup(MacroElement):
    """Run right after the map is made: a metric scale bar (bottom left, under the legend), and
    where given, the folder of Leaflet's default marker images. folium makes every marker with the
    default icon before it sets ours, and Leaflet guesses that folder from its stylesheet, which a
    first visit has not loaded yet (it then asks for ".../leafletmarker-icon.png")."""

    _template = Template("""{% macro script(this, kwargs) %}
    L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
    {%- if this.image_path %}
    L.Icon.Default.imagePath = {{ this.image_path|tojson }};
    {%- endif %}
{% endmacro %}""")

    def __init__(self, image_path: str | None = None):
        super().__init__()
        self._name = "evcore_map_setup"
        self.image_path = image_path


@contextmanager
def leaflet_from(fmap: folium.Map, prefix: str):
    """Within the block, ``fmap`` links Leaflet, its stylesheet and jQuery at ``prefix`` + our
    static paths (e.g. Streamlit's ``/app/static/``) instead of folium's CDN, and Leaflet's
    marker images are looked for there too; then as before."""
    saved = fmap.__dict__.get("default_js"), fmap.__dict__.get("default_css")
    setup = fmap._children.get("evcore_map_setup")
    fmap.default_js = [(name, prefix + path) for name, path in INLINE_JS]
    fmap.default_css = [(name, prefix + path) for name, path in INLINE_CSS]
    if setup is not None and prefix != INLINE_PREFIX:  # inlined, the stylesheet is there before the map
        setup.image_path = prefix + "leaflet/images/"
    try:
        yield fmap
    finally:
        for attribute, value in zip(("default_js", "default_css"), saved):
            if value is None:
                fmap.__dict__.pop(attribute, None)
            else:
                setattr(fmap, attribute, value)
        if setup is not None:
            setup.image_path = None


@lru_cache(maxsize=2)
def _inline_assets(static_dir: Path) -> tuple[tuple[str, str], ...]:
    """(link as folium writes it, inline element) for each of our files, read once a process."""
    pairs = []
    for _, path in INLINE_JS:
        code = (static_dir / path).read_text(encoding="utf-8").replace("</script", "<\\/script")
        pairs.append((f'<script src="{INLINE_PREFIX}{path}"></script>', f"<script>{code}</script>"))
    for _, path in INLINE_CSS:
        css = (static_dir / path).read_text(encoding="utf-8")
        for image in sorted((static_dir / path).parent.glob("images/*.png")):
            data = base64.b64encode(image.read_bytes()).decode("ascii")
            css = css.replace(f"url(images/{image.name})", f"url(data:image/png;base64,{data})")
        pairs.append((f'<link rel="stylesheet" href="{INLINE_PREFIX}{path}"/>', f"<style>{css}</style>"))
    return tuple(pairs)


def standalone_html(fmap: folium.Map, static_dir: Path | None = None) -> str:
    """The map as one HTML page that draws with no network: our Leaflet, its stylesheet (images
    as data URIs) and jQuery inlined instead of folium's CDN links. Only the background tiles
    need the network; stations, popups and the legend draw without it."""
    static_dir = Path(static_dir or STATIC_DIR)
    if not all((static_dir / path).is_file() for _, path in INLINE_JS + INLINE_CSS):
        return fmap.get_root().render()  # an install without static/: folium's CDN links, online only
    with leaflet_from(fmap, INLINE_PREFIX):
        page = fmap.get_root().render()
    for link, inline in _inline_assets(static_dir):
        page = page.replace(link, inline)
    return page


def base_map(latitudes, longitudes, zoom_start: int = 10) -> folium.Map:
    """An empty map fitted to the given coordinates."""
    lat = pd.Series(latitudes, dtype=float)
    lon = pd.Series(longitudes, dtype=float)
    m = folium.Map(location=[float(lat.mean()), float(lon.mean())], zoom_start=zoom_start, tiles=TILES)
    m.add_child(_MapSetup(), name="evcore_map_setup")
    if len(lat) > 1:
        m.fit_bounds([[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]])
    return m


def label_icon(text: str, color: str, size: int = 22) -> folium.DivIcon:
    """A round colored badge with a short label: drawn by Leaflet itself, no icon font or plugin
    (folium's ``Icon`` needs the awesome-markers plugin from a CDN)."""
    style = (f"width:{size}px;height:{size}px;border-radius:50%;background:{color};color:white;"
             f"border:2px solid white;box-shadow:0 0 3px rgba(0,0,0,.6);font:bold 11px sans-serif;"
             f"display:flex;align-items:center;justify-content:center")
    return folium.DivIcon(html=f"<div style='{style}'>{escape_text(text)}</div>",
                          icon_size=(size, size), icon_anchor=(size // 2, size // 2))


def popup_table(title: str, rows: dict) -> folium.Popup:
    """A small popup: a bold title and one line a figure."""
    lines = "".join(f"<tr><td>{escape_text(k)}</td><td style='text-align:right;padding-left:8px'>"
                    f"{escape_text(v)}</td></tr>" for k, v in rows.items())
    return folium.Popup(f"<b>{escape_text(title)}</b><table>{lines}</table>", max_width=320)


def stations_map(stations: pd.DataFrame, summary: pd.DataFrame | None = None, unit: str = "kWh") -> folium.Map:
    """Each station a circle, sized by mean daily usage when a station summary is given."""
    table = stations.copy()
    if summary is not None:
        table = table.merge(summary[["station_id", "mean_daily", "recent_daily"]], on="station_id", how="left")
    m = base_map(table["latitude"], table["longitude"])
    biggest = table["mean_daily"].max() if "mean_daily" in table and table["mean_daily"].notna().any() else None
    for row in table.itertuples(index=False):
        figures = {"Station id": row.station_id}
        for column, label, fmt in STATION_DETAILS:  # what a station list (Open Charge Map's) says of it
            value = getattr(row, column, None)
            if value is not None and not pd.isna(value) and str(value).strip():
                figures[label] = fmt.format(value)
        radius = 6
        if biggest:
            mean = getattr(row, "mean_daily")
            if pd.notna(mean):
                figures[f"Mean daily ({unit})"] = f"{mean:,.1f}"
                figures[f"Last 28 days, daily ({unit})"] = f"{row.recent_daily:,.1f}"
                radius = 4 + 10 * (mean / biggest) ** 0.5
            else:
                figures["Usage"] = "no usage data"
        folium.CircleMarker(
            location=[row.latitude, row.longitude], radius=radius, color="#1f77b4", weight=1,
            fill=True, fill_opacity=0.7, tooltip=escape_text(row.name), popup=popup_table(row.name, figures),
        ).add_to(m)
    legend = [("#1f77b4", "Station" + (f" (size: mean daily {unit})" if biggest else ""))]
    return add_legend(m, "Stations", legend)
