"""The fast edit loop of an analyst changing one model, run as they would: make show, make model, make slim-ci.

On a copy of the project (the repository's own files stay untouched) and a copy of the session warehouse,
with the session build's manifest as the last production manifest (what `make build` saves in
DATA_DIR/prod-artifacts). One staging model is edited; `make slim-ci` must build and test exactly that
model and everything downstream of it, and `make model M=<it>` the same.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from project_helpers import copy_project, make
from warehouse_helpers import REPO, Warehouse

EDITED = "stg_adplatform__campaigns"
EDITED_ID = f"model.shopwarehouse.{EDITED}"


def _downstream(manifest: dict, unique_id: str) -> set[str]:
    """The node and everything downstream of it, by the manifest's child map."""
    found, todo = {unique_id}, [unique_id]
    while todo:
        for child in manifest["child_map"].get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _executed(project: Path) -> dict[str, str]:
    """unique_id -> status of every node the last dbt command in the project ran."""
    run_results = json.loads((project / "target" / "run_results.json").read_text())
    return {result["unique_id"]: result["status"] for result in run_results["results"]}


def _of_kind(ids: set[str] | dict[str, str], *kinds: str) -> set[str]:
    return {unique_id for unique_id in ids if unique_id.split(".", 1)[0] in kinds}


def test_slim_ci_builds_only_the_changed_model_and_its_children(built_warehouse: Warehouse, tmp_path: Path) -> None:
    warehouse = built_warehouse.copy(tmp_path / "warehouse")
    project = copy_project(tmp_path / "project")
    production = built_warehouse.root / "target" / "manifest.json"
    (warehouse.data_dir / "prod-artifacts").mkdir()
    shutil.copy2(production, warehouse.data_dir / "prod-artifacts" / "manifest.json")
    manifest = json.loads(production.read_text())
    expected = _downstream(manifest, EDITED_ID)
    expected_models = _of_kind(expected, "model")
    assert {EDITED_ID, "model.shopwarehouse.dim_campaigns", "model.shopwarehouse.rpt_marketing_performance"} <= (
        expected_models
    )

    # preview a model: its SQL run on the warehouse, a few rows
    shown = make(project, "show", "M=dim_campaigns", "LIMIT=3", data_dir=warehouse.data_dir)
    assert shown.returncode == 0, shown.stdout[-3000:]
    assert "campaign_id" in shown.stdout and "dim_campaigns" in shown.stdout

    model_file = project / "models" / "staging" / "adplatform" / f"{EDITED}.sql"
    model_file.write_text("-- an analyst's edit\n" + model_file.read_text())

    slim = make(project, "slim-ci", data_dir=warehouse.data_dir)
    assert slim.returncode == 0, slim.stdout[-4000:]
    executed = _executed(project)
    assert _of_kind(executed, "model", "seed", "snapshot") == expected_models
    assert _of_kind(executed, "test") == _of_kind(expected, "test")
    assert len(_of_kind(executed, "test")) > 20  # the children's tests ran too
    failed = {unique_id: status for unique_id, status in executed.items() if status not in ("success", "pass")}
    assert _of_kind(failed, "model", "test") == set(), failed  # (an exposure is a no-op)
    assert not (REPO / "models" / "staging" / "adplatform" / f"{EDITED}.sql").read_text().startswith("-- an analyst")

    # build one model and its children by name: the same set
    built = make(project, "model", f"M={EDITED}", data_dir=warehouse.data_dir)
    assert built.returncode == 0, built.stdout[-4000:]
    assert _of_kind(_executed(project), "model", "seed", "snapshot") == expected_models


def test_model_and_show_need_a_model_name(tmp_path: Path) -> None:
    for target in ("model", "show"):
        done = make(REPO, target, data_dir=tmp_path)
        assert done.returncode == 2 and f"usage: make {target} M=<model name>" in done.stderr


def test_slim_ci_needs_a_production_manifest(tmp_path: Path) -> None:
    done = make(REPO, "slim-ci", data_dir=tmp_path)
    assert done.returncode == 2 and "run make build first" in done.stderr
