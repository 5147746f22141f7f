"""Hostile files and arguments (tests/hostile_inputs.py) through every reader and every command:
each is read or refused with InputError (one ``error:`` line and exit 2 in the CLI); never another
exception, a warning line, or NaN/Infinity in what comes back."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from evcore.cli import main
from evcore.errors import InputError
from evcore.io import read_demand, read_file, read_points, read_stations, read_usage
from hostile_inputs import hostile_cli_cases, hostile_files, hostile_library_calls, mutated_files

READERS = {"read_file": lambda c, n: read_file(c, n).summary(), "read_usage": read_usage,
           "read_stations": read_stations, "read_demand": read_demand, "read_points": read_points}
FILES = hostile_files()


def _finite_everywhere(result) -> None:
    """No NaN or infinity in a summary or in the numeric columns of a table."""
    if isinstance(result, pd.DataFrame):
        for column in ("latitude", "longitude", "weight", "usage"):
            if column in result:
                assert np.isfinite(result[column].to_numpy(float)).all(), column
    else:
        json.dumps(result, allow_nan=False)


@pytest.mark.parametrize("reader", list(READERS))
@pytest.mark.parametrize("name,content", FILES, ids=[n for n, _ in FILES])
def test_every_reader_reads_or_refuses_in_one_sentence(name, content, reader):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would reach the user
        try:
            result = READERS[reader](content, name)
        except InputError as exc:
            message = str(exc)
            assert message and "\n" not in message and name in message
            assert len(message) < 400
            return
    _finite_everywhere(result)


@pytest.fixture(scope="module")
def cli_cases(tmp_path_factory):
    return hostile_cli_cases(tmp_path_factory.mktemp("hostile"))


def test_every_command_exits_0_or_2_with_one_error_line(cli_cases, capsys):
    unclean = []
    for argv in cli_cases:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            code = main(argv)
        out, err = capsys.readouterr()
        lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
        problem = None
        if code not in (0, 2):
            problem = f"exit {code}"
        elif code == 2 and (len(lines) != 1 or "unexpected" in lines[0]):
            problem = err.strip()[-300:]
        elif "Warning" in err or "Traceback" in err:
            problem = err.strip()[-300:]
        elif code == 0 and "--json" in argv:
            try:
                json.loads(out, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
            except ValueError as exc:
                problem = f"not clean JSON: {exc}"
        if problem:
            unclean.append((argv, problem))
    assert not unclean, f"{len(unclean)} of {len(cli_cases)} cases not clean: {unclean[:5]}"


LIBRARY_CASES = hostile_library_calls()


@pytest.mark.parametrize("case", list(LIBRARY_CASES))
def test_library_calls_work_or_refuse_in_one_sentence(case):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            LIBRARY_CASES[case]()
        except InputError as exc:
            assert str(exc) and "\n" not in str(exc)


def test_randomly_damaged_files_are_read_or_refused_in_one_sentence():
    escaped = []
    for name, content in mutated_files(120, seed=9):
        for reader in READERS.values():
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                try:
                    _finite_everywhere(reader(content, name))
                except InputError:
                    pass
                except Exception as exc:  # noqa: BLE001 - what we are looking for
                    escaped.append((content[:80], type(exc).__name__, str(exc)[:80]))
    assert not escaped, f"{len(escaped)} of {120 * len(READERS)} calls escaped: {escaped[:3]}"


def test_hdbscan_merge_radius_that_joins_everything_gives_one_cluster():
    from evcore.cluster import HDBSCAN

    two_groups = pd.DataFrame({"latitude": [47.60, 47.61, 47.62, 47.70, 47.71, 47.72],
                               "longitude": [-122.30, -122.31, -122.32, -122.40, -122.41, -122.42]})
    assert len(set(HDBSCAN(min_cluster_size=2, eps_km=1.0).fit(two_groups).labels_)) == 2
    for eps_km in (15.0, 1e308):  # beyond the groups' distance (scikit-learn alone raises TypeError here)
        assert set(HDBSCAN(min_cluster_size=2, eps_km=eps_km).fit(two_groups).labels_) == {0}
