"""The monitoring report (`make monitor` writes DATA_DIR/reports/monitoring.html) in a real browser.

The report of the session warehouse is opened from disk in headless Chromium (as the docs site test
does, Debian `chromium` + `chromium-driver` through Selenium): every chart is drawn with a visible
size, the PSI charts have one line per monitored column, the volume charts their expected band, the
page loads nothing from the network (self-contained: no scripts, no CDN) and logs no error.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warehouse_helpers import REPO, Warehouse

from tools.monitoring_report import write_report

CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
ARTIFACTS = REPO / "artifacts" / "monitoring-report"


@pytest.fixture(scope="module")
def report(built_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("monitoring-report") / "monitoring.html"
    return write_report(built_warehouse.data_dir / "warehouse.duckdb", out)


def test_report_is_self_contained(report: Path, built_warehouse: Warehouse) -> None:
    page = report.read_text()
    assert "<script" not in page
    # the only URL is SVG's namespace: nothing is fetched
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {"http://www.w3.org/2000/svg"}
    judged = built_warehouse.rows("select distinct table_name from monitoring.mon_checks where measure = 'psi'")
    profiled = built_warehouse.rows("select distinct table_name from monitoring.mon_column_profiles_daily")
    assert judged and profiled
    for (table,) in judged:
        assert f"PSI per column: {table}" in page
    for (table,) in profiled:
        assert f"daily rows: {table}" in page


missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not shutil.which(path)]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    if missing:
        pytest.skip(f"no headless browser: {', '.join(missing)} missing (`make browser` installs it as root)")
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = str(shutil.which(CHROMIUM))
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=1300,1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(
        executable_path=shutil.which(CHROMEDRIVER), log_output=str(tmp_path / "chromedriver.log")
    )
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


def test_report_charts_render_in_chromium(report: Path, browser: Any, built_warehouse: Warehouse) -> None:
    by = pytest.importorskip("selenium.webdriver.common.by").By
    volume_judged = built_warehouse.one(
        "select count(distinct table_name) from monitoring.mon_checks where measure = 'volume_change'"
    )
    browser.get(report.as_uri())
    assert browser.title.startswith("Monitoring report")
    assert "checks:" in browser.find_element(by.ID, "summary").text
    sizes = browser.execute_script(
        "return [...document.querySelectorAll('svg.chart')].map(s => {"
        " const r = s.getBoundingClientRect(); return [s.getAttribute('aria-label'), r.width, r.height]; })"
    )
    assert len(sizes) >= 3
    assert all(width > 100 and height > 100 for _, width, height in sizes), sizes
    sections = {
        section: browser.execute_script(
            "const h = document.getElementById(arguments[0]); const grid = h.nextElementSibling;"
            " return [grid.querySelectorAll('svg.chart').length, grid.querySelectorAll('polyline.series').length,"
            " grid.querySelectorAll('polygon.band').length, grid.querySelectorAll('rect.bar').length];",
            section,
        )
        for section in ("distributions", "psi", "volume")
    }
    charts, _, _, bars = sections["distributions"]
    assert charts >= 1 and bars >= 2, sections  # reference and day side by side
    charts, lines, _, _ = sections["psi"]
    assert charts >= 4 and lines >= charts, sections  # one chart per table, a line per column
    charts, lines, bands, _ = sections["volume"]
    assert charts >= 4 and lines >= charts, sections  # rows (and expected)
    # the expected band where the table has a volume check (enough rows a day), none on the others
    assert bands == volume_judged >= 1, sections
    # every line has points inside its chart
    outside = browser.execute_script(
        "return [...document.querySelectorAll('polyline.series')].filter(p => {"
        " const b = p.getBBox(); const svg = p.ownerSVGElement.viewBox.baseVal;"
        " return b.width < 0 || b.x < 0 || b.y < 0 || b.x + b.width > svg.width || b.y + b.height > svg.height;"
        " }).length"
    )
    assert outside == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "monitoring-report.png"))
    errors = [entry for entry in browser.get_log("browser") if entry.get("level") == "SEVERE"]
    assert errors == []
