"""What the README tells a new user matches what the app shows."""

from conftest import ROOT
from evcore.demo import demo_dataset


def test_readme_gives_the_demo_figures_the_home_page_shows():
    readme = (ROOT / "README.md").read_text()
    demo = demo_dataset()
    assert f"{demo.demand['weight'].sum():,.0f} registered EVs" in readme
    assert f"{len(demo.stations)} stations" in readme
    assert f"{demo.usage['date'].nunique()} days" in readme
