"""``validate PATH``: detect a file's format and summarise what it holds."""

from __future__ import annotations

import argparse

from evcore.cli.common import add_json_flag, print_json

FORMATS = """formats, detected from the content (not the file name):
  usage, wide        a timestamp column and one numeric column per station (hourly or daily;
                     hourly values are summed to daily totals and kept hour by hour)
  usage, long        a station column, a date column and a value (usage, sessions, kwh, ...)
  charging sessions  one row per session: station, start time, energy, end time or duration
                     (ChargePoint's and city portals' spellings, e.g. Start_Date___Time)
  stations           latitude and longitude with a station id or name (CSV or GeoJSON points)
  stations, OCM      the raw JSON list of POIs from the Open Charge Map API
  EV demand points   latitude/longitude with a weight, or one row per vehicle with a WKT
                     POINT (lon lat) column (with a year and an area column, also
                     counted into an adoption history)
  adoption history   EVs by year (or date) and area (county, ZIP, ...), + the whole fleet
                     where known; or a vehicle list with a year and an area column, counted
CSV with commas, semicolons or tabs; UTF-8 (with or without BOM), UTF-16 or cp1252."""


def add_parser(sub) -> None:
    p = sub.add_parser("validate", help="detect a file's format and summarise it",
                       description="Detect a file's format and summarise what it holds.",
                       epilog=FORMATS, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("path", help="the file to read (CSV or JSON)")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from evcore.io import read_file

    summary = read_file(args.path).summary()
    if args.json:
        print_json(summary)
        return 0
    notes = summary.pop("notes")
    for key, value in summary.items():
        print(f"{key}: {value}")
    for note in notes:
        print(f"note: {note}")
    return 0


