"""One rule for whole numbers across the library, messages that name the parameter, and the
command line naming its own flag instead."""

import numpy as np
import pandas as pd
import pytest

from evcore.checks import ParameterError, whole_number
from evcore.cli import main
from evcore.cluster import DBSCAN, KMedians
from evcore.errors import InputError
from evcore.placement import PMedian

POINTS = pd.DataFrame({"latitude": [47.0, 47.1, 47.2, 47.3], "longitude": [-122.0] * 4, "weight": 1.0})


@pytest.mark.parametrize("value", [float("nan"), np.inf, True, 2.5, 2.0, "2", None])
def test_what_is_not_a_whole_number_is_refused_in_one_sentence_everywhere(value):
    for build in (lambda: KMedians(n_clusters=value).fit(POINTS), lambda: PMedian.from_points(POINTS, k=value),
                  lambda: DBSCAN(eps_km=1.0, min_samples=value).fit(POINTS)):
        with pytest.raises(InputError) as caught:  # never ValueError or OverflowError from int()
            build()
        assert isinstance(caught.value, ParameterError) and str(caught.value).startswith(caught.value.parameter)


def test_whole_numbers_pass_as_ints():
    assert whole_number(np.int64(3), "k") == 3 and type(whole_number(np.int64(3), "k")) is int
    assert KMedians(n_clusters=np.int32(2)).fit(POINTS).cluster_centers_.shape == (2, 2)


def test_the_command_line_names_its_flags(tmp_path, capsys):
    points = tmp_path / "points.csv"
    POINTS.to_csv(points, index=False)
    assert main(["cluster", "--points", str(points), "--method", "dbscan", "--eps-km", "1", "--min-samples", "0"]) == 2
    assert capsys.readouterr().err.splitlines()[-1].startswith("error: --min-samples must be a whole number of at least 1")
