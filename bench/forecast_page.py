"""The Forecast page as an analyst meets it: time to the first chart on a new upload, to the
backtest table, and for one step of the horizon slider, in headless Chromium on the running app.

    python bench/forecast_page.py [USAGE_FILE ...]   (default: ../shared/data/charged_{jhb,mel}/volume.csv)

Each file gets a fresh app with an empty model store and workspace: the file is uploaded on the
home page, then the Forecast page is opened from the sidebar. Printed per file: seconds until
the progress bar, the chart and the backtest table (the page done), and for one horizon step.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the Streamlit server and Chromium helpers of the browser tests

from browser import chromium_page, streamlit_server  # noqa: E402


def measure(usage_file: Path) -> str:
    tmp = Path(tempfile.mkdtemp())
    os.environ["EVCORE_WORKSPACE"] = str(tmp / "workspace")
    os.environ.pop("EVCORE_LSTM_SETTINGS", None)  # the shipped model's settings
    with streamlit_server(tmp) as url, chromium_page() as page:
        page.goto(url)
        chooser = page.locator("input[type='file']")
        chooser.wait_for(state="attached", timeout=60000)
        chooser.set_input_files(str(usage_file))
        page.get_by_text("detected as", exact=False).first.wait_for(timeout=60000)
        page.wait_for_timeout(2000)
        start = time.time()
        page.locator("[data-testid='stSidebarNav']").get_by_text("Forecast").click()
        page.get_by_role("progressbar").first.wait_for(timeout=30000)
        bar = time.time() - start
        page.locator(".js-plotly-plot").first.wait_for(timeout=300000)
        chart = time.time() - start
        page.locator("[data-testid='stStatusWidget']").wait_for(state="detached", timeout=600000)
        done = time.time() - start
        page.get_by_role("slider").first.focus()
        step_start = time.time()
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(300)
        page.locator("[data-testid='stStatusWidget']").wait_for(state="detached", timeout=60000)
        step = time.time() - step_start
    return (f"{usage_file}: progress bar {bar:.1f} s, chart {chart:.1f} s, backtest table {done:.1f} s, "
            f"horizon step {step:.2f} s")


def main(argv: list[str]) -> None:
    files = [Path(a) for a in argv] or [ROOT.parent / "shared" / "data" / f"charged_{c}" / "volume.csv"
                                        for c in ("jhb", "mel")]
    for usage_file in files:
        if not usage_file.exists():
            print(f"{usage_file}: not on this machine, skipped")
            continue
        print(measure(usage_file), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
