"""Personal data stays in the raw schemas; raw access is granted per role; macros quote identifiers safely.

The scan takes every e-mail address, phone number, full name and street line of the raw `oltp` tables and
looks for them in every text column of every relation outside the raw schemas (staging, quarantine,
intermediate, marts, snapshots, seeds) and of the published snapshot: equal after trim and lower-case,
or with the same digits (a phone), and any text that looks like an e-mail address at all. The same scan on
the raw table finds them, so it would find an `email` column added back to a model.

The macro tests run dbt in this process (parsed once) against a scratch warehouse holding only an
old-style customer snapshot: they compile the macros with hostile names, run the portable (`default__`)
SQL of `hash_pii`, `mask_phone` and `grant_raw_access` on PostgreSQL, and scrub the old snapshot.
"""

from __future__ import annotations

import hashlib
import random
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from sqlalchemy import create_engine, text
from warehouse_helpers import REPO, Warehouse

from tools.publish import publish

EMAIL_LIKE = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
PII_COLUMN_NAMES = {"email", "phone", "first_name", "last_name", "line1", "address_line1", "postal_code", "street"}
HOSTILE_ROLE = 'pii"; drop table oltp.customers; --'


def _raw_schemas(con: duckdb.DuckDBPyConnection, catalog: str) -> set[str]:
    """Schemas dlt loads (they hold `_dlt_version`), and dlt's `<schema>_staging` merge schemas."""
    loaded = {
        schema
        for (schema,) in con.execute(
            "select schema_name from duckdb_tables() where database_name = $1 and table_name = '_dlt_version'",
            [catalog],
        ).fetchall()
    }
    return loaded | {f"{schema}_staging" for schema in loaded}


def _load_personal_values(con: duckdb.DuckDBPyConnection) -> None:
    """Temp tables `pii_values` (lower-cased, trimmed texts) and `pii_digits` (phone digits) from raw oltp."""
    con.execute(
        """
        create temp table pii_values as
        select distinct value from (
            select lower(trim(email)) as value from wh.oltp.customers
            union all select lower(trim(phone)) from wh.oltp.customers
            union all select lower(trim(first_name) || ' ' || trim(last_name)) from wh.oltp.customers
            union all select lower(trim(line1)) from wh.oltp.addresses
        )
        where value is not null and length(value) >= 5
        """
    )
    con.execute(
        """
        create temp table pii_digits as
        select distinct regexp_replace(phone, '[^0-9]', '', 'g') as digits from wh.oltp.customers
        where length(regexp_replace(phone, '[^0-9]', '', 'g')) >= 7
        """
    )


def _leaks(con: duckdb.DuckDBPyConnection, catalog: str, schemas: set[str] | None, skip: set[str]) -> list[str]:
    """`schema.relation.column: value` for each text value holding personal data (at most 3 per relation)."""
    columns = con.execute(
        """
        select schema_name, table_name, list(column_name order by column_index)
        from duckdb_columns()
        where database_name = $catalog and data_type in ('VARCHAR', 'JSON')
        group by all order by all
        """,
        {"catalog": catalog},
    ).fetchall()
    found: list[str] = []
    for schema, table, names in columns:
        if (schemas is not None and schema not in schemas) or schema in skip:
            continue
        quoted = ['"' + name.replace('"', '""') + '"' for name in names]
        as_text = ", ".join(f"cast({name} as varchar) as {name}" for name in quoted)
        relation = f'{catalog}."{schema}"."{table}"'
        rows = con.execute(
            f"""
            select column_name, value from (
                unpivot (select {as_text} from {relation})
                on {", ".join(quoted)} into name column_name value value
            )
            where lower(trim(value)) in (select value from pii_values)
                or (length(value) between 7 and 40
                    and regexp_replace(value, '[^0-9]', '', 'g') in (select digits from pii_digits))
                or regexp_matches(value, '{EMAIL_LIKE}')
            limit 3
            """
        ).fetchall()
        found += [f"{schema}.{table}.{column}: {value[:80]!r}" for column, value in rows]
    return found


def _scan(database: Path, raw_source: Path) -> tuple[list[str], set[str], set[str]]:
    """Leaks in the non-raw relations of `database` (values from `raw_source`), schemas scanned, PII-named columns."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{raw_source}' as wh (read_only)")
        _load_personal_values(con)
        if database != raw_source:
            con.execute(f"attach '{database}' as scanned (read_only)")
            catalog = "scanned"
        else:
            catalog = "wh"
        raw = _raw_schemas(con, catalog)
        schemas = {
            schema
            for (schema,) in con.execute(
                "select distinct schema_name from duckdb_columns() where database_name = $1", [catalog]
            ).fetchall()
        } - raw
        column_names = {
            f"{schema}.{table}.{column}"
            for schema, table, column in con.execute(
                "select schema_name, table_name, column_name from duckdb_columns() where database_name = $1", [catalog]
            ).fetchall()
            if schema in schemas and column.lower() in PII_COLUMN_NAMES
        }
        assert con.execute("select count(*) from pii_values").fetchall()[0][0] > 100  # the scan has values to find
        return _leaks(con, catalog, schemas, skip=set()), schemas, column_names
    finally:
        con.close()


def test_no_personal_data_outside_the_raw_schemas(built_warehouse: Warehouse) -> None:
    warehouse = built_warehouse.data_dir / "warehouse.duckdb"
    leaks, schemas, pii_columns = _scan(warehouse, warehouse)

    assert {"staging", "intermediate", "marts", "snapshots", "quarantine"} <= schemas, schemas
    assert not {"oltp", "events"} & schemas
    assert leaks == [], "personal data in clear text outside the raw schemas:\n" + "\n".join(leaks)
    assert pii_columns == set(), pii_columns
    # the e-mail still links accounts: one canonical account per hash, as with the clear address
    linked = built_warehouse.rows(
        "select count(distinct email_hash), count(distinct canonical_customer_id) filter (where email_hash is not null)"
        " from staging.stg_oltp__customers"
    )[0]
    assert linked[0] == linked[1] > 0


def test_the_scan_finds_personal_data_where_it_is(built_warehouse: Warehouse) -> None:
    """Control: in the raw schema the same scan finds e-mails, phones (also as bare digits) and street lines."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{built_warehouse.data_dir / 'warehouse.duckdb'}' as wh (read_only)")
        _load_personal_values(con)
        leaks = _leaks(con, "wh", {"oltp"}, skip=set())
        # a model that re-exposed the phone digits or an upper-cased e-mail would be found as well
        con.execute(
            "create schema extra; create table extra.leak as select upper(email) as shouted, "
            "regexp_replace(phone, '[^0-9]', '', 'g') as digits from wh.oltp.customers"
        )
        planted = _leaks(con, "memory", {"extra"}, skip=set())
    finally:
        con.close()
    assert any(leak.startswith("oltp.customers.email:") for leak in leaks), leaks
    assert any(leak.startswith("oltp.customers.phone:") for leak in leaks), leaks
    assert any(leak.startswith("oltp.addresses.line1:") for leak in leaks), leaks
    assert any(".shouted:" in leak for leak in planted) and any(".digits:" in leak for leak in planted), planted


def test_the_published_snapshot_holds_no_personal_data(built_warehouse: Warehouse, tmp_path: Path) -> None:
    warehouse = built_warehouse.data_dir / "warehouse.duckdb"
    snapshot = tmp_path / "published" / "warehouse.duckdb"
    published = publish(warehouse, snapshot)  # what `make publish` does: the marts, read from the warehouse

    leaks, schemas, pii_columns = _scan(snapshot, warehouse)

    assert published and schemas == {"main", "marts"}, schemas
    assert leaks == [] and pii_columns == set(), leaks + sorted(pii_columns)


# --- macros: compiled by dbt against an empty scratch warehouse ------------------------------------------


@dataclass
class Dbt:
    """dbt in this process on a project parsed once (each command then takes about a second, not a parse)."""

    runner: Any
    args: list[str]
    messages: list[str]
    data_dir: Path

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """The rows of a query on the scratch warehouse, through dbt (this process holds the file open)."""
        done = self.runner.invoke(["show", *self.args, "--inline", sql, "--limit", "-1"])
        assert done.success, done.exception
        table = done.result.results[0].agate_table
        return [dict(zip(table.column_names, row, strict=True)) for row in table.rows]

    def __call__(self, command: str, *args: str) -> tuple[bool, str, str]:
        """(success, everything dbt logged, the compiled SQL of `compile --inline`)."""
        self.messages.clear()
        done = self.runner.invoke([command, *self.args, *args])
        results = getattr(done.result, "results", None) or []
        compiled = results[0].node.compiled_code if command == "compile" and done.success and results else ""
        return done.success, "\n".join(self.messages + [str(done.exception or "")]), compiled


@pytest.fixture(scope="module")
def dbt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dbt]:
    from dbt.cli.main import dbtRunner

    root = tmp_path_factory.mktemp("pii-macros")
    (root / "data").mkdir()
    # a customer snapshot as a build before PII masking left it, plus one version recorded after the upgrade
    con = duckdb.connect(str(root / "data" / "warehouse.duckdb"))
    con.execute(
        """
        create schema snapshots;
        create table snapshots.snap_oltp__customers as
        select * from (values
            (1, 'ann@example.com', true, 'Ann', 'Lee', '+44 7700 900883', null, null, null),
            (2, null, false, 'Bob', 'Ray', '12', null, null, null),
            (3, null, true, null, null, null, 'f00d', 'example.org', '***01')
        ) as versions(customer_id, email, has_valid_email, first_name, last_name, phone,
                      email_hash, email_domain, phone_masked)
        """
    )
    con.close()
    args = ["--project-dir", str(REPO), "--profiles-dir", str(REPO), "--quiet"]
    args += ["--target-path", str(root / "target"), "--log-path", str(root / "logs")]
    messages: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATA_DIR", str(root / "data"))  # profiles.yml reads it: an empty scratch warehouse
        parsed = dbtRunner().invoke(["parse", *args])
        assert parsed.success, parsed.exception
        runner = dbtRunner(manifest=parsed.result, callbacks=[lambda event: messages.append(event.info.msg)])
        yield Dbt(runner, args, messages, root / "data")


HOSTILE_ROLE_SQL = HOSTILE_ROLE.replace('"', '""')
INLINE = """
select {{ default__hash_pii("'Ann@Example.com'") }} as email_hash,
    {{ default__mask_phone("'+1 (202) 555-0156'", 2) }} as phone_masked,
    {{ default__mask_phone("'12'", 2) }} as too_short,
    {{ postal_code_prefix("' sw1a 1aa'") }} as postal_prefix
-- GRANTS
{{ default__grant_raw_access('__ROLE__', true) | join(';\\n') }};
-- QUOTED {{ quote_identifier('my "odd" column') }}
-- WINDOW
{{ get_incremental_replace_window_sql({
    'target_relation': api.Relation.create(schema='marts', identifier='t'),
    'temp_relation': api.Relation.create(identifier='t__dbt_tmp'),
    'unique_key': 'key "x"',
    'dest_columns': [api.Column.create('key "x"', 'varchar'), api.Column.create('value', 'varchar')],
    'incremental_predicates': none,
}) }}
""".replace("__ROLE__", HOSTILE_ROLE)  # the role has no single quote to escape


def test_macros_quote_hostile_identifiers_and_the_portable_sql_runs_on_postgres(dbt: Dbt, postgres_url: str) -> None:
    success, output, sql = dbt("compile", "--inline", INLINE)
    assert success, output[-4000:]

    # identifiers from arguments are quoted with their quotes doubled: the hostile role stays one name
    assert f'to "{HOSTILE_ROLE_SQL}"' in sql and 'to "pii""; drop table oltp.customers; --"' in sql
    assert '"my ""odd"" column"' in sql
    assert 'DBT_INTERNAL_DEST."key ""x""" in (select "key ""x""" from DBT_INTERNAL_SOURCE)' in sql
    assert 'insert into "marts"."t" ("key ""x""", "value")' in sql

    select, rest = sql.split("-- GRANTS", 1)
    grants = [line.rstrip(";") for line in rest.split("-- QUOTED", 1)[0].strip().splitlines()]
    assert grants[:2] == [
        f'grant usage on schema "adplatform" to "{HOSTILE_ROLE_SQL}"',
        f'grant select on all tables in schema "adplatform" to "{HOSTILE_ROLE_SQL}"',
    ]
    schemas = sorted({re.search(r'schema "([a-z_]+)"', grant).group(1) for grant in grants})
    assert "oltp" in schemas and "staging" not in schemas and "marts" not in schemas

    role = f"pii_test_{uuid.uuid4().hex[:8]}"
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as con:
            # the portable SQL gives the same hash and mask as DuckDB's
            row = con.execute(text(select)).one()
            assert row.email_hash == hashlib.sha256(b"Ann@Example.com").hexdigest()
            assert (row.phone_masked, row.too_short, row.postal_prefix) == ("***56", None, "SW1")
            # the grants run as rendered (for a plain role name) and give read access to the raw tables only
            con.execute(text(f'create role "{role}"'))
            for schema in (*schemas, "staging"):
                con.execute(text(f'create schema "{schema}"; create table "{schema}".t (x int)'))
            for grant in grants:
                con.execute(text(grant.replace(f'"{HOSTILE_ROLE_SQL}"', f'"{role}"')))
            can_read = con.execute(
                text(
                    "select has_table_privilege(:role, 'oltp.t', 'select'),"
                    " has_table_privilege(:role, 'staging.t', 'select')"
                ),
                {"role": role},
            ).one()
            assert tuple(can_read) == (True, False)
    finally:
        with engine.connect() as con:
            for schema in (*schemas, "staging"):
                con.execute(text(f'drop schema if exists "{schema}" cascade'))
            con.execute(text(f'drop role if exists "{role}"'))
        engine.dispose()


def test_grant_raw_access_on_duckdb_explains_that_access_is_the_file(dbt: Dbt) -> None:
    success, output, _ = dbt("run-operation", "grant_raw_access", "--args", "{role: pii_reader}")

    assert success, output[-4000:]
    assert "DuckDB has no roles, so there is nothing to grant to 'pii_reader'" in output
    assert str(dbt.data_dir / "warehouse.duckdb") in output and '"oltp"' in output
    assert "published/warehouse.duckdb" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run-operation", "grant_raw_access", "--args", "{role: ''}"], "must be a non-empty name"),
        (
            [
                "compile",
                "--inline",
                "{{ get_incremental_replace_window_sql({'target_relation': api.Relation.create(identifier='t'),"
                " 'temp_relation': api.Relation.create(identifier='s'), 'unique_key': 'id) or (1 = 1',"
                " 'dest_columns': [api.Column.create('id', 'bigint')], 'incremental_predicates': none}) }}",
            ],
            """unique_key "id) or (1 = 1" is not a column of""",
        ),
        (["compile", "--inline", "{{ json_text('doc', \"a.b') or (1 = 1\") }}"], "every key must be a non-empty name"),
        (["compile", "--inline", "{{ surrogate_key('order_id') }}"], "field_list must be a non-empty list"),
        (["compile", "--inline", "{{ divide_or_null('a', 'b', '4) or (1') }}"], "scale must be a whole number"),
        (["compile", "--inline", "{{ quote_identifier('a\tb') }}"], "must be a non-empty name without control"),
    ],
    ids=["empty-role", "unique-key-expression", "json-key-quote", "key-as-string", "scale-sql", "control-character"],
)
def test_a_hostile_macro_argument_is_a_clear_error(dbt: Dbt, args: list[str], message: str) -> None:
    success, output, _ = dbt(*args)

    assert not success, output[-4000:]
    assert message in output, output[-4000:]


def test_scrub_snapshot_pii_clears_an_old_snapshot_once(dbt: Dbt) -> None:
    success, output, _ = dbt("run-operation", "scrub_snapshot_pii")
    assert success, output[-4000:]

    rows = dbt.rows("select * from snapshots.snap_oltp__customers order by customer_id")
    assert set(rows[0]) == {"customer_id", "has_valid_email", "email_hash", "email_domain", "phone_masked"}
    assert [(row["email_hash"], row["email_domain"], row["phone_masked"]) for row in rows] == [
        (hashlib.sha256(b"ann@example.com").hexdigest(), "example.com", "***83"),  # filled like staging does
        (None, None, None),  # no e-mail, and '12' is no phone number
        ("f00d", "example.org", "***01"),  # a version recorded after the upgrade is left as it is
    ]
    again, output, _ = dbt("run-operation", "scrub_snapshot_pii")
    assert again and "holds no clear-text personal data column, nothing to do" in output


# --- money_average: exact on every engine --------------------------------------------------------------


def _money_groups() -> dict[int, list[Decimal | None]]:
    """Groups of amounts: means exactly halfway between two cents (both signs), a null-only group, random ones."""
    groups: dict[int, list[Decimal | None]] = {
        0: [Decimal("67.11"), Decimal("67.12")],  # 67.115: DuckDB's avg() rounds it to 67.11
        1: [Decimal("-0.01"), Decimal("0.00")],  # -0.005 -> -0.01
        2: [Decimal("0.01"), Decimal("0.02"), Decimal("0.03"), Decimal("0.04")],  # 0.025
        3: [Decimal("1.00"), Decimal("2.01"), None],  # nulls do not count
        4: [None],
        5: [Decimal("9999999999.99"), Decimal("9999999999.98")],
    }
    rng = random.Random(7)
    for group in range(6, 400):
        groups[group] = [Decimal(rng.randint(-50_000, 500_000)) / 100 for _ in range(rng.randint(1, 8))]
    return groups


def test_money_average_rounds_half_away_from_zero_exactly_on_duckdb_and_postgres(dbt: Dbt, postgres_url: str) -> None:
    groups = _money_groups()
    values = ", ".join(
        f"({group}, cast({'null' if amount is None else repr(str(amount))} as decimal(12, 2)))"
        for group, amounts in groups.items()
        for amount in amounts
    )
    expected = {}
    for group, amounts in groups.items():
        known = [amount for amount in amounts if amount is not None]
        expected[group] = (sum(known) / len(known)).quantize(Decimal("0.01"), ROUND_HALF_UP) if known else None
    query = "select g, {{ %s('amount') }} as mean from (values " + values + ") as t(g, amount) group by g"

    for macro, run in (("money_average", "duckdb"), ("default__money_average", "postgres")):
        success, output, sql = dbt("compile", "--inline", query % macro)
        assert success, output[-4000:]
        if run == "duckdb":
            rows = duckdb.connect().execute(sql).fetchall()
        else:
            engine = create_engine(postgres_url)
            try:
                with engine.connect() as con:
                    rows = con.execute(text(sql)).all()
            finally:
                engine.dispose()
        got = {group: mean for group, mean in rows}
        wrong = {group: (got.get(group), want) for group, want in expected.items() if got.get(group) != want}
        assert wrong == {}, (run, dict(list(wrong.items())[:5]))


def test_money_average_scale_is_checked(dbt: Dbt) -> None:
    success, output, _ = dbt("compile", "--inline", "{{ money_average('x', '2) or (1') }}")

    assert not success and "scale must be a whole number from 0 to 9" in output, output[-4000:]
