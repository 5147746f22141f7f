"""What every command shares: the parser that turns usage errors into one line, JSON output,
logging to stderr and progress."""

from __future__ import annotations

import argparse
import json
import sys

from evcore.errors import InputError


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, as for any other bad input
        raise InputError(f"{self.prog}: {message}")


def print_json(obj) -> None:
    """One JSON object on stdout; a figure that is not finite is written as null (JSON has no
    NaN or Infinity, and we never print them)."""
    from evcore.export import plain_json

    json.dump(plain_json(obj), sys.stdout, allow_nan=False)
    sys.stdout.write("\n")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def log_store_note(table) -> None:
    """The sentence on ``table`` saying its model could not be kept in the store, as a ``note:`` line."""
    from evcore.forecast.store import NOTE

    if table.attrs.get(NOTE):
        log(f"note: {table.attrs[NOTE]}")


def progress_logger(prefix: str):
    """A progress callback that logs to stderr when the message or the tenth changes."""
    last = {"message": None, "tenth": -1}

    def progress(fraction: float, message: str) -> None:
        head = message.split(",")[0]
        tenth = int(fraction * 10)
        if head != last["message"] or tenth != last["tenth"]:
            last.update(message=head, tenth=tenth)
            log(f"{prefix}: {fraction:4.0%} {message}")

    return progress


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help="print the result as one JSON object on stdout (progress stays on stderr)")
