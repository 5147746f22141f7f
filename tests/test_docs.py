"""What the README tells a new user matches what the app shows."""

from conftest import ROOT
from evcore.demo import demo_dataset


def test_readme_gives_the_demo_figures_the_home_page_shows():
    readme = (ROOT / "README.md").read_text()
    demo = demo_dataset()
    assert f"{demo.demand['weight'].sum():,.0f} registered EVs" in readme
    assert f"{len(demo.stations)} stations" in readme
    assert f"{demo.usage['date'].nunique()} days" in readme


def test_the_readme_library_example_runs(capsys):
    readme = (ROOT / "README.md").read_text()
    example = readme.split("## Library", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    exec(compile(example, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "latitude" in printed and float(printed.split()[0]) > 0  # mean km, then the sites table
