"""Shared fixtures: a throwaway database on the PostgreSQL / MariaDB test servers, and a DATA_DIR.

Each server fixture creates a uniquely named, empty database (`demo_test_<hex>`), yields its SQLAlchemy
URL and drops it afterwards, also when the test fails; no other database is touched. Tests that use
them are marked `postgres` / `mariadb` automatically (`pytest -m "not mariadb"` deselects them).
A server that is down skips those tests locally and fails them when `CI` is set.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError


@dataclass(frozen=True)
class ScratchServer:
    """One database server the suite may create scratch databases on."""

    label: str
    env_var: str  # overrides default_base: an admin URL without a database
    default_base: str
    admin_database: str | None  # the database the admin connection opens
    start_command: str
    create_sql: str
    drop_sql: str
    url_query: tuple[tuple[str, str], ...] = ()

    def base_url(self) -> URL:
        return make_url(os.environ.get(self.env_var) or self.default_base)


POSTGRES = ScratchServer(
    label="PostgreSQL",
    env_var="TEST_POSTGRES_URL_BASE",
    default_base="postgresql+psycopg2://postgres@127.0.0.1:5432",
    admin_database="postgres",
    start_command="pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    create_sql='CREATE DATABASE "{name}"',
    drop_sql='DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
)

MARIADB = ScratchServer(
    label="MariaDB",
    env_var="TEST_MARIADB_URL_BASE",
    default_base="mysql+pymysql://root@127.0.0.1:3306",
    admin_database=None,
    start_command="start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd",
    create_sql="CREATE DATABASE `{name}` CHARACTER SET utf8mb4",
    drop_sql="DROP DATABASE IF EXISTS `{name}`",
    url_query=(("charset", "utf8mb4"),),
)

SERVER_FIXTURES = {"postgres_url": "postgres", "mariadb_url": "mariadb"}
"""Fixture name -> the marker (declared in pyproject.toml) a test using it gets."""


def _scratch_database(server: ScratchServer) -> Iterator[str]:
    """Create an empty database on the server, yield its URL, drop it afterwards."""
    base = server.base_url()
    admin = create_engine(
        base.set(database=server.admin_database), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    name = f"demo_test_{uuid.uuid4().hex[:10]}"
    try:
        unreachable = ""
        try:
            conn = admin.connect()
        except OperationalError as exc:
            unreachable = str(exc.orig or exc).strip().splitlines()[0]
        if unreachable:  # reported outside the except block: the message, not a chain of tracebacks
            message = (
                f"{server.label} is not reachable at {base.render_as_string(hide_password=True)} "
                f"({unreachable}); start it with: {server.start_command} "
                f"(or point {server.env_var} at another server)"
            )
            if os.environ.get("CI"):
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
        with conn:
            conn.execute(text(server.create_sql.format(name=name)))
        try:
            url = base.set(database=name).update_query_pairs(server.url_query)
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(server.drop_sql.format(name=name)))
    finally:
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """SQLAlchemy URL of a fresh, empty PostgreSQL database (dropped after the test)."""
    yield from _scratch_database(POSTGRES)


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """SQLAlchemy URL of a fresh, empty MariaDB database (dropped after the test)."""
    yield from _scratch_database(MARIADB)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty DATA_DIR for the demo generator."""
    path = tmp_path / "data"
    path.mkdir()
    return path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests that need a database server, so `-m "not postgres"` and friends work."""
    for item in items:
        used = getattr(item, "fixturenames", ())
        for fixture, marker in SERVER_FIXTURES.items():
            if fixture in used:
                item.add_marker(marker)


WAREHOUSE_TESTS = "tests/python/warehouse/"
"""The session warehouses' tests (warehouse/conftest.py builds the warehouses in the worker that runs them)."""


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """`make test` runs two pytest-xdist workers (`-n 2 --dist loadscope`): one module at a time per worker,
    except the warehouse tests, which are one unit, so one worker builds the session warehouses (in its
    background threads) and runs their tests while the other runs every other module."""
    if config.getoption("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return WAREHOUSE_TESTS if module.startswith(WAREHOUSE_TESTS) else module

    return ModuleScheduling(config, log)
