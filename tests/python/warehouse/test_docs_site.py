"""The docs site works in a real browser, used as an analyst would use it.

The site is generated from the built warehouse and served the way `make docs-serve` serves it (static
files with `python -m http.server` on 127.0.0.1), then opened in headless Chromium (Debian `chromium`
and `chromium-driver`, driven by Selenium): the overview page renders the project's own text, the
search box finds a mart and opens its page, the page lists every column with its description and the
tests on it, and the lineage graph opens with the model's parents and children. A screenshot of each
step goes to artifacts/docs-site/; any error the page logs (JavaScript or console) fails the test.

`make test` installs Chromium first (`make browser`, as root on Debian); elsewhere, without Chromium,
the test is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warehouse_helpers import PYTHON, REPO, free_port

CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
ARTIFACTS = REPO / "artifacts" / "docs-site"
MART = "fct_orders"
MART_ID = f"model.shopwarehouse.{MART}"
WAIT_SECONDS = 20

missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not shutil.which(path)]
if missing:
    pytest.skip(
        f"no headless browser: {', '.join(missing)} missing. Install Debian's chromium and chromium-driver "
        "(`make browser` does it as root), or point CHROMIUM_BIN and CHROMEDRIVER_BIN at them",
        allow_module_level=True,
    )
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (`make setup` installs it)")
By = pytest.importorskip("selenium.webdriver.common.by").By
WebDriverWait = pytest.importorskip("selenium.webdriver.support.ui").WebDriverWait


def is_page_error(entry: dict[str, Any]) -> bool:
    """A SEVERE browser log entry, except dbt-docs' own requests for unrendered template URLs.

    dbt's index.html has `<img src="{{ getIcon(...) }}">` and a favicon link `${require(...)}` that the
    browser fetches literally before (or instead of) rendering them: 404s for a URL with a `{` in it
    are the docs app's, not the project's, and do not affect the page.
    """
    if entry.get("level") != "SEVERE":
        return False
    message = str(entry.get("message", ""))
    return not (entry.get("source") == "network" and "%7B" in message.split(" ", 1)[0])


@pytest.fixture(scope="module")
def docs_site(generated_docs: Path) -> Iterator[tuple[str, dict]]:
    """The docs site generated from the built warehouse, its three files served on a free port."""
    site = generated_docs
    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(url + "manifest.json", timeout=2) as response:
                    assert response.status == 200
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "the docs server did not start"
                time.sleep(0.1)
        yield url, json.loads((site / "manifest.json").read_text())
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
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
        "--window-size=1440,1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(
        executable_path=shutil.which(CHROMEDRIVER), log_output=str(tmp_path / "chromedriver.log")
    )
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(WAIT_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()


class Visit:
    """The browser session of one test: waits, screenshots per step, and the page errors seen so far."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self.errors: list[dict[str, Any]] = []
        self.step = 0
        shutil.rmtree(ARTIFACTS, ignore_errors=True)
        ARTIFACTS.mkdir(parents=True)

    def until(self, condition: Any, what: str) -> Any:
        return WebDriverWait(self.driver, WAIT_SECONDS).until(condition, message=what)

    def screenshot(self, name: str) -> Path:
        self.step += 1
        path = ARTIFACTS / f"{self.step:02d}-{name}.png"
        self.driver.save_screenshot(str(path))
        self.errors += [entry for entry in self.driver.get_log("browser") if is_page_error(entry)]
        return path

    def text(self, element: Any) -> str:
        return " ".join(str(element.get_attribute("textContent")).split())


def test_an_analyst_finds_a_mart_its_columns_tests_and_lineage(docs_site: tuple[str, dict], browser: Any) -> None:
    url, manifest = docs_site
    visit = Visit(browser)
    try:
        browse(visit, url, manifest)
    except BaseException:
        visit.screenshot("failure")
        (ARTIFACTS / "failure.html").write_text(browser.page_source)
        print(f"docs site at failure: {browser.current_url}; screenshots in {ARTIFACTS}")
        raise
    print(f"docs site screenshots: {ARTIFACTS}")
    assert visit.errors == [], f"the docs site logged errors: {visit.errors}"


def browse(visit: Visit, url: str, manifest: dict) -> None:
    driver = visit.driver

    # the overview page: the project's own text, rendered from models/overview.md (markdown, not raw)
    overview_md = (REPO / "models" / "overview.md").read_text()
    heading = next(line[2:].strip() for line in overview_md.splitlines() if line.startswith("# "))
    driver.get(url)
    visit.until(lambda d: "#!/overview" in d.current_url, "the site opens on its overview page")
    h1 = visit.until(
        lambda d: [el for el in d.find_elements(By.CSS_SELECTOR, ".app-details h1") if visit.text(el) == heading],
        f"the overview page shows the heading {heading!r}",
    )
    assert h1[0].is_displayed()
    overview = visit.text(driver.find_element(By.CSS_SELECTOR, ".app-details"))
    assert "Where to start" in overview and "Use the search box to find a table" in overview
    assert driver.find_elements(By.CSS_SELECTOR, ".app-details table"), "the overview's table is not rendered"
    visit.screenshot("overview")

    # search for the mart by name: it is among the results, and clicking it opens its page
    search = driver.find_element(By.ID, "search")
    search.click()
    search.send_keys(MART)

    def mart_results(d: Any) -> list[Any]:
        return [
            result
            for result in d.find_elements(By.CSS_SELECTOR, ".search-result")
            if visit.text(result.find_element(By.CSS_SELECTOR, "h4 span")) == MART
        ]

    found = visit.until(mart_results, f"searching for {MART} lists it")
    assert "model" in visit.text(found[0].find_element(By.CSS_SELECTOR, "h4 small"))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", found[0])
    visit.screenshot("search")
    found[0].click()
    visit.until(lambda d: d.current_url.endswith(f"#!/model/{MART_ID}"), f"clicking the result opens {MART}'s page")
    title = visit.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".app-title h1"), "the model page has a title")
    assert visit.text(title[0]).startswith(MART)

    # the model page: every column with its description, and the tests on them
    node = manifest["nodes"][MART_ID]
    rows = visit.until(lambda d: d.find_elements(By.CSS_SELECTOR, "tr.column-row"), "the model page lists columns")
    shown = {}
    for row in rows:
        cells = row.find_elements(By.TAG_NAME, "td")
        shown[visit.text(cells[0])] = (visit.text(cells[2]), visit.text(cells[3]), visit.text(cells[4]))
    assert list(shown) == list(node["columns"]), "the page does not list the model's columns"
    for column, (description, _, _) in shown.items():
        assert description, f"{MART}.{column} shows no description"
        assert description == " ".join(node["columns"][column]["description"].split())

    badges = {"unique": "U", "not_null": "N", "relationships": "F", "accepted_values": "A"}
    expected_badges: dict[str, set[str]] = {}
    for test in manifest["nodes"].values():
        if test["resource_type"] == "test" and test.get("attached_node") == MART_ID and test.get("column_name"):
            badge = badges.get(test["test_metadata"]["name"], "+")
            expected_badges.setdefault(test["column_name"], set()).add(badge)
    # a contracted mart's non-null columns are constraints (enforced by the engine): N in their own column
    expected_constraints = {
        column: {"N"}
        for column, spec in node["columns"].items()
        if any(constraint["type"] == "not_null" for constraint in spec.get("constraints", []))
    }
    assert "U" in expected_badges.get("order_id", set()), "fct_orders.order_id lost its grain test"
    assert "N" in expected_constraints.get("order_id", set()), "fct_orders.order_id lost its not_null constraint"
    for column, (_, constraints, tests) in shown.items():
        assert set(tests.split()) == expected_badges.get(column, set()), f"tests shown on {MART}.{column}"
        assert set(constraints.split()) == expected_constraints.get(column, set()), f"constraints on {MART}.{column}"

    order_id = next(row for row in rows if visit.text(row.find_elements(By.TAG_NAME, "td")[0]) == "order_id")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", order_id)
    order_id.click()  # expands the column: full description, the names of its tests, its constraints
    expanded = visit.until(
        lambda d: [el for el in d.find_elements(By.CSS_SELECTOR, "td.column-expanded") if el.is_displayed()],
        "clicking a column expands it",
    )
    details = visit.text(expanded[0])
    assert "Generic Data Tests" in details and "Unique" in details, details
    assert "Constraints" in details and "not_null" in details, details
    visit.screenshot("model-columns")

    # the lineage graph: the blue button opens a graph canvas with the model, its parents and children
    driver.find_element(By.CSS_SELECTOR, 'a[title="View Lineage Graph"]').click()
    launcher = driver.find_element(By.CSS_SELECTOR, ".launcher")
    visit.until(lambda d: "on" in launcher.get_attribute("class").split(), "the lineage graph panel opens")
    graph_nodes = visit.until(
        lambda d: d.execute_script(
            "const registry = document.getElementById('cy')._cyreg;"
            "return registry && registry.cy.nodes(':visible').map(node => node.id());"
        ),
        "the lineage graph draws nodes",
    )
    canvases = [c for c in driver.find_elements(By.CSS_SELECTOR, "#cy canvas") if c.is_displayed()]
    assert canvases and all(c.size["width"] > 100 and c.size["height"] > 100 for c in canvases)
    children = manifest["child_map"][MART_ID]
    neighbours = {MART_ID, *node["depends_on"]["nodes"], *(c for c in children if c.startswith("model."))}
    assert neighbours <= set(graph_nodes), f"missing from the lineage graph: {neighbours - set(graph_nodes)}"
    visit.screenshot("lineage-graph")
