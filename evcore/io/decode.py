"""From bytes to a table of strings: file reading, binary detection, text decoding, the
separator and the CSV parse."""

from __future__ import annotations

import csv
import io
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from evcore.errors import InputError


def source_name(source) -> str:
    if isinstance(source, (str, Path)):
        return Path(source).name
    return getattr(source, "name", None) or "the uploaded file"


def read_bytes(source, name: str) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        raw = bytes(source)
    elif isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise InputError(f"{path} does not exist: expected a path to a CSV or JSON file.")
        if path.is_dir():
            raise InputError(f"{path} is a folder: expected a CSV or JSON file.")
        if not path.is_file():  # a device (/dev/zero) or a pipe would be read forever
            raise InputError(f"{path} is not a regular file: expected a CSV or JSON file.")
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{path} cannot be read ({exc.strerror}).") from None
    else:
        raw = source.read()
        if hasattr(source, "seek"):
            source.seek(0)
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
    if not raw.strip():
        raise InputError(f"{name} is empty: expected a CSV file with a header row and data rows.")
    return raw


BINARY_SIGNATURES = [
    (b"PK\x03\x04", "a ZIP archive or an Excel/OpenDocument spreadsheet"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel (.xls) or Office document"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"SQLite format 3", "an SQLite database"),
    (b"PAR1", "a Parquet file"),
    (b"\x7fELF", "a program binary"),
]


def decode_text(raw: bytes, name: str) -> str:
    for signature, what in BINARY_SIGNATURES:
        if raw.startswith(signature):
            raise InputError(f"{name} is {what}, not a CSV: save it as a comma-separated CSV "
                             "(UTF-8) and upload that.")
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise InputError(f"{name} is UTF-32 text: save it as UTF-8 (or UTF-16) CSV and upload that.")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    head = raw[:65536]
    if b"\x00" in head:
        raise InputError(f"{name} is a binary file, not text: expected a CSV or JSON file.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    sample = text[:65536]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    if control > max(3, len(sample) // 200) or sample.count("\ufffd") > max(3, len(sample) // 50):
        raise InputError(f"{name} is not readable text (it looks like binary data): expected a "
                         "CSV or JSON file.")
    return text


# Limits of what we read: the csv module's own field limit, and more columns than any real
# station table has. Beyond them a file is refused in one sentence, not parsed for minutes.
MAX_FIELD_CHARS = 131_072
MAX_COLUMNS = 2_000
LONG_TABLE_COLUMNS = 64  # up to this many columns a table is cleaned column by column (less memory)
MISSING_MARKS = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "-"]


def _fields(line: str, sep: str) -> list[str] | None:
    """The fields of one line, or None where the csv module cannot split it (a field too long)."""
    try:
        return next(csv.reader([line], delimiter=sep), [])
    except csv.Error:
        return None


def _sniff_separator(lines: list[str]) -> str:
    best, best_score = ",", -1
    for sep in [",", ";", "\t", "|"]:
        counts = [len(fields) if fields is not None else -1 for fields in (_fields(ln, sep) for ln in lines)]
        if counts[0] < 2:
            continue
        consistent = sum(1 for c in counts if c == counts[0])
        score = consistent * 1000 + counts[0]
        if score > best_score:
            best, best_score = sep, score
    return best


def _check_header(header: str, sep: str, name: str) -> None:
    """Refuse headers too wide, names too long, and a column named twice (pandas would read the
    second as ``name.1`` without a word)."""
    if header.count(sep) + 1 > MAX_COLUMNS:
        raise InputError(f"{name}: the header has {header.count(sep) + 1:,} columns: expected at most "
                         f"{MAX_COLUMNS:,} (one column per station, or a long table).")
    fields = _fields(header, sep) if len(header) <= 16 * MAX_FIELD_CHARS else None
    if fields is None or any(len(f) > MAX_FIELD_CHARS for f in fields):
        raise InputError(f"{name}: line 1 (the header) has a field longer than {MAX_FIELD_CHARS:,} "
                         "characters: expected column names.")
    seen: dict[str, int] = {}
    for position, field in enumerate(fields, start=1):
        key = field.strip()
        if key and key in seen:
            raise InputError(f"{name}: the header names column {key[:40]!r} twice (columns {seen[key]} "
                             f"and {position}): expected each column name once.")
        seen[key] = position


def _cells(table: pd.DataFrame) -> pd.Series:
    """Every cell in one Series (row by row): one pass of pandas' string methods over all of
    them, as fast for a table 2,000 columns wide as for one a million rows long."""
    return pd.Series(table.to_numpy(dtype=object).ravel(), dtype=object)


def check_field_sizes(table: pd.DataFrame, name: str) -> None:
    if len(table.columns) <= LONG_TABLE_COLUMNS and all(isinstance(t, pd.StringDtype) for t in table.dtypes):
        longest = [int(table[c].str.len().max() or 0) for c in table.columns]  # no Python string a cell
        if max(longest, default=0) <= MAX_FIELD_CHARS:
            return
    lengths = _cells(table).str.len()
    if len(lengths) and lengths.max() > MAX_FIELD_CHARS:
        position = int(lengths.fillna(0).to_numpy(float).argmax())
        row, column = divmod(position, len(table.columns))
        raise InputError(f"{name}: column {str(table.columns[column])[:40]!r}, line {row + 2} has a value of "
                         f"{int(lengths.max()):,} characters: expected at most {MAX_FIELD_CHARS:,}.")


def _first_line_longer_than_header(text: str, sep: str) -> int | None:
    try:
        rows = csv.reader(io.StringIO(text), delimiter=sep)
        width = len(next(rows))
        for number, row in enumerate(rows, start=2):
            if len(row) > width and any(field.strip() for field in row[width:]):
                return number
    except csv.Error:
        pass
    return None


def read_csv_table(text: str, name: str, data: bytes | None = None) -> pd.DataFrame:
    """The CSV ``text`` as a table of stripped text cells (NaN where missing); ``data``: the same
    text as UTF-8 bytes when the caller has them (read without another copy)."""
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    sep = _sniff_separator(lines)
    _check_header(lines[0], sep, name)
    try:
        with warnings.catch_warnings():
            # index_col=False: a row with more fields than the header is an error, not a row whose
            # first field silently becomes the index (pandas' default).
            warnings.simplefilter("error", pd.errors.ParserWarning)
            table = pd.read_csv(io.BytesIO(text.encode("utf-8") if data is None else data), encoding="utf-8",
                                sep=sep, dtype=str,
                                keep_default_na=False,
                                skipinitialspace=True, skip_blank_lines=True, index_col=False)
    except pd.errors.ParserWarning:
        line = _first_line_longer_than_header(text, sep)
        raise InputError(f"{name} is not a regular CSV table{f' (line {line} has more fields than the header)' if line else ''}: "
                         "expected the same number of fields on every line as in the header.") from None
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+), saw (\d+)", str(exc))
        where = f" (line {match.group(1)} has {match.group(2)} fields)" if match else ""
        raise InputError(f"{name} is not a regular CSV table{where}: expected the same number "
                         "of fields on every line as in the header.") from None
    except (pd.errors.EmptyDataError, csv.Error, UnicodeError, ValueError, OverflowError) as exc:
        raise InputError(f"{name} cannot be read as CSV ({str(exc)[:80]}): expected a header row and "
                         "data rows.") from None
    table.columns = [str(c).strip() for c in table.columns]
    if len(table.columns) < 2:
        raise InputError(f"{name} has a single column ({table.columns[0][:40]!r}): expected a "
                         "table with several columns separated by commas or semicolons.")
    if table.empty:
        raise InputError(f"{name} has a header but no data rows: expected at least one row "
                         "below the header.")
    if len(table.columns) <= LONG_TABLE_COLUMNS:  # column by column on pandas' compact strings
        check_field_sizes(table, name)
        for column in table.columns:
            values = table[column].str.strip()
            table[column] = values.where(~values.isin(MISSING_MARKS), np.nan)
        return table
    check_field_sizes(table, name)
    cells = _cells(table).str.strip()
    cells = cells.where(~cells.isin(MISSING_MARKS), np.nan)
    return pd.DataFrame(cells.to_numpy(dtype=object).reshape(table.shape), index=table.index, columns=table.columns)
