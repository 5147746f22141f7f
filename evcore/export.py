"""What we write for people to open elsewhere: CSV that spreadsheets cannot run as formulas.

OWASP's advice for CSV injection: a text cell that starts with ``=``, ``+``, ``-``, ``@``, tab
or carriage return is written with a leading ``'`` so that Excel, LibreOffice and Google Sheets
show it as text instead of evaluating it. Numbers stay numbers (a negative number is a number
column, not a text cell). Every CSV the app offers and the CLI writes goes through here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from evcore.errors import InputError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text cells (and column names) cannot start a formula."""
    safe = table.copy()
    for column in safe.columns:
        if not (pd.api.types.is_numeric_dtype(safe[column]) or pd.api.types.is_datetime64_any_dtype(safe[column])):
            safe[column] = safe[column].map(_safe_cell)
    safe.columns = [_safe_cell(str(c)) for c in safe.columns]
    return safe


def csv_text(table: pd.DataFrame) -> str:
    """The table as CSV text (no index), safe to open in a spreadsheet. Lines end in CRLF as
    RFC 4180 says, which also makes the csv writer quote a cell holding a carriage return."""
    return spreadsheet_safe(table).to_csv(index=False, lineterminator="\r\n")


FIGURE_DECIMALS = 3


def forecast_rows(table: pd.DataFrame, unit: str) -> pd.DataFrame:
    """A daily forecast table as people read it: ``station_id, date, forecast, lower, upper,
    unit`` (DESIGN.md), dates as YYYY-MM-DD and figures to three decimals."""
    out = table[["station_id", "date", "forecast", "lower", "upper"]].copy()
    out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    out[["forecast", "lower", "upper"]] = out[["forecast", "lower", "upper"]].astype(float).round(FIGURE_DECIMALS)
    out["unit"] = unit
    return out


def file_stem(name: str) -> str:
    """A dataset name as part of a file name: letters, digits and single dashes."""
    import re

    return re.sub(r"[^0-9A-Za-z]+", "-", str(name)).strip("-").lower()[:60] or "dataset"


def write_csv(table: pd.DataFrame, path, what: str = "the table") -> None:
    """Write ``csv_text(table)`` to ``path``; a folder or file that cannot be written is an
    ``InputError`` naming it."""
    write_text(csv_text(table), path, what)


def write_text(text: str, path, what: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(f"{path}: cannot write {what} ({exc.strerror or exc}).") from None


def check_writable(path, what: str) -> None:
    """Refuse, before any work, an output path that is a folder or lies in a missing or
    read-only folder."""
    target = Path(path)
    if str(path).strip() == "" or target.is_dir():
        raise InputError(f"{path or repr(path)}: cannot write {what} onto a folder: expected a file name.")
    folder = target.parent
    if not folder.is_dir():
        raise InputError(f"{path}: cannot write {what} there, the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise InputError(f"{path}: cannot write {what} there (permission denied).")


def plain_json(value):
    """``value`` made of what JSON has: numpy values as Python ones, dates as ``YYYY-MM-DD``, and a
    figure that is missing or not finite as null (JSON has no NaN or Infinity, and we never write
    them). Used by the CLI's ``--json`` and the REST service alike."""
    import math

    import numpy as np

    if isinstance(value, dict):
        return {str(key): plain_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain_json(item) for item in value]
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.strftime("%Y-%m-%d")
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is not None and not isinstance(value, (str, bool, int, float)) and pd.isna(value) is True:
        return None  # pd.NA, NaT
    return value
