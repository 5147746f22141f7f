"""The Growth page: the scenario control (year, fitted or percent a year), the growth map and the
placement and capacity answers for that year beside today's; and the map builder escapes names."""

import pandas as pd
from streamlit.testing.v1 import AppTest

from conftest import ROOT, shown
from growth_samples import DEMAND, HISTORY, SESSIONS
from evcore.data import Dataset
from evcore.growth import compound_growth
from evcore.growth.scenario import area_table
from evcore.io import combine, read_file
from evcore.viz.growth import growth_map

PAGE = str(ROOT / "pages" / "5_Growth.py")


def page(dataset):
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["dataset"] = dataset
    return at.run()


def scenario_dataset() -> Dataset:
    files = [(HISTORY, "h.csv"), (DEMAND, "d.csv"), (SESSIONS, "s.csv")]
    return combine([read_file(text.encode(), name) for text, name in files], name="growth")


def test_percent_a_year_scales_placement_and_ports_beside_today():
    at = page(scenario_dataset())
    assert not at.exception and not at.error
    assert at.slider[0].value == 2027  # five years after the history's last, 2022
    at.radio[0].set_value("percent").run()
    at.number_input[0].set_value(100.0).run()
    at.slider[0].set_value(2024).run()
    assert not at.exception and not at.error
    assert "4.00 times" in shown(at.markdown[0].value)
    labels = [m.label for m in at.metric]
    assert labels == ["Today (2022): mean distance per vehicle", "2024: mean distance per vehicle"]
    ports = at.dataframe[-1].value
    assert list(ports.columns) == ["station_id", "ports", "blocking today", "ports_needed today", "blocking 2024",
                                   "ports_needed 2024"]
    assert ports["blocking 2024"].iloc[0] > ports["blocking today"].iloc[0]
    assert [b.label for b in at.get("download_button")][-1] == "Download ports today and in 2024 (CSV)"


def test_fitted_growth_follows_each_area():
    at = page(scenario_dataset())
    at.slider[0].set_value(2025).run()
    areas = at.dataframe[0].value.set_index("area")
    assert areas.loc["fast", "factor"] > 3 and areas.loc["slow", "factor"] < 1.5


def test_page_says_so_without_a_history():
    at = page(Dataset(name="no history", demand=read_file(DEMAND.encode(), "d.csv").dataset.demand))
    assert not at.exception and "no adoption history" in at.info[0].value


def test_growth_map_escapes_area_names():
    history = pd.DataFrame({"year": [2020, 2021], "area": ["<script>x</script>"] * 2, "vehicles": [1.0, 2.0]})
    demand = pd.DataFrame({"latitude": [47.0], "longitude": [-122.0], "weight": [2.0], "area": ["<script>x</script>"]})
    html = growth_map(area_table(history, compound_growth(history, 2023), 2023, demand), 2023).get_root().render()
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html and "× 4.00" in html


def test_home_saves_an_uploaded_history_and_says_the_growth_page_uses_it():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.file_uploader[0].set_value([("h.csv", HISTORY.encode(), "text/csv")]).run()
    assert not at.exception
    assert at.session_state["dataset"].history["area"].nunique() == 2
    assert any("Adoption history: 2 areas, 2018–2022" in c.value for c in at.caption)
    at.switch_page("pages/5_Growth.py").run()
    assert not at.exception and not at.error and "times" in shown(at.markdown[0].value)
