"""Writing checked import rows: families, residents and their name tokens, in bulk.

Rows go in as one prepared INSERT run over batches of parameter tuples (``executemany``;
COPY on PostgreSQL), with their ids decided beforehand so residents, families (their head)
and name tokens can point at each other without reading anything back. This is how the
demo loads 1.7 million residents; ``bulk_create`` was measured 8x slower on SQLite
(``kampung/demo/bulk.py``). The caller holds the transaction: on SQLite it takes the write
lock at BEGIN (``transaction_mode=IMMEDIATE``), so the highest id cannot change under us;
on PostgreSQL the ids are drawn from the table's own sequence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import connection
from django.db.models import Max, Model
from django.utils import timezone

from kampung.population.checks import name_tokens
from kampung.population.importing.validation import Checked, FamilyPlan, ResidentRow
from kampung.population.models import Family, Resident, ResidentNameToken

BATCH = 5000
SQLITE_CACHE_KIB = 256 * 1024

FAMILY_COLUMNS = (
    "id", "created_at", "updated_at", "kk_number", "village_id", "head_id", "address", "dusun", "rw", "rt",
    "needs_review", "review_notes",
)  # fmt: skip
RESIDENT_COLUMNS = (
    "id", "created_at", "updated_at", "nik", "name", "birth_place", "birth_date", "sex", "religion",
    "marital_status", "family_relation", "education", "occupation", "citizenship", "blood_type",
    "disability", "family_id", "village_id", "dusun", "rw", "rt", "phone", "basic_status", "name_key",
    "needs_review", "review_notes",
)  # fmt: skip
TOKEN_COLUMNS = ("resident_id", "village_id", "token", "name_key")


class TableInserter:
    """Insert rows into one model's table with a fixed column list; any other column gets
    its field default (so the import keeps working when the models grow)."""

    def __init__(self, model: type[Model], columns: Sequence[str]) -> None:
        fields: dict[str, Any] = {f.column: f for f in model._meta.concrete_fields if f.column}
        unknown = [c for c in columns if c not in fields]
        if unknown:
            raise RuntimeError(f"{model.__name__} has no column(s) {unknown}")
        extra_columns: list[str] = []
        self.extras: list[Callable[[], Any]] = []
        for column, fld in fields.items():
            if column in columns or fld.primary_key:
                continue
            extra_columns.append(column)
            if fld.has_default() and callable(fld.default):
                self.extras.append(partial(_prepared_default, fld))
            else:
                value = fld.get_db_prep_save(fld.get_default(), connection)
                self.extras.append(partial(_constant, value))
        self.columns = [*columns, *extra_columns]
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        self.copy_sql = f"COPY {table} ({names}) FROM STDIN"
        marks = ", ".join(["%s"] * len(self.columns))
        # Table and column names come from the model; the values are always parameters.
        self.insert_sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            if self.extras:
                batch = [row + tuple(make() for make in self.extras) for row in batch]
            insert_batch(self, batch)


def insert_batch(inserter: TableInserter, rows: list[tuple[Any, ...]]) -> None:
    """One batch into the table (a module function, so a test can stop the process here)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(inserter.copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(inserter.insert_sql, rows)


def _prepared_default(fld: Any) -> Any:
    return fld.get_db_prep_save(fld.get_default(), connection)


def _constant(value: Any) -> Any:
    return value


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """``count`` new primary keys for ``model``, taken inside the caller's transaction."""
    if count == 0:
        return []
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [int(r[0]) for r in cursor.fetchall()]
    first = (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
    return list(range(first, first + count))


@contextmanager
def bulk_session() -> Iterator[None]:
    """A bigger SQLite page cache while writing, so index pages stay in memory (as the demo)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size={-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={previous}")


@dataclass
class Written:
    families_new: int = 0
    families_existing: int = 0
    residents: int = 0
    residents_flagged: int = 0
    families_flagged: int = 0


def _area_of(plan: FamilyPlan) -> tuple[str, str, str, str]:
    source = plan.head or plan.rows[0]
    v = source.values
    return v.get("address", ""), v.get("dusun", ""), v.get("rw", ""), v.get("rt", "")


def write_checked(checked: Checked, *, village_code: str) -> Written:
    """Insert the families and residents of a file that passed every check.

    Must run inside a transaction (the import service's): a failure at any point, or the
    process dying, leaves nothing behind.
    """
    written = Written()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    adapt_date = connection.ops.adapt_datefield_value
    new_plans = [p for p in checked.families.values() if p.is_new]
    family_ids = reserve_ids(Family, len(new_plans))
    resident_ids = reserve_ids(Resident, len(checked.rows))
    id_of: dict[int, int] = {row.row: pk for row, pk in zip(checked.rows, resident_ids, strict=True)}

    family_id_of: dict[str, int] = {}
    area_of: dict[str, tuple[str, str, str]] = {}
    family_rows: list[tuple[Any, ...]] = []
    for plan, pk in zip(new_plans, family_ids, strict=True):
        head = plan.head
        address, dusun, rw, rt = _area_of(plan)
        family_id_of[plan.kk_number] = pk
        area_of[plan.kk_number] = (dusun, rw, rt)
        family_rows.append(
            (
                pk, now, now, plan.kk_number, village_code, id_of[head.row] if head else None,
                address, dusun, rw, rt, bool(plan.flags), "\n".join(dict.fromkeys(plan.flags)),
            )
        )  # fmt: skip
    heads_for_existing: list[tuple[int, int]] = []
    for plan in checked.families.values():
        if plan.existing_id is None:
            continue
        family_id_of[plan.kk_number] = plan.existing_id
        area_of[plan.kk_number] = plan.existing_area
        head = plan.head
        if head is not None:  # validation allows a head only for a family without one
            heads_for_existing.append((plan.existing_id, id_of[head.row]))
    written.families_new = len(family_rows)
    written.families_existing = len(checked.families) - len(family_rows)
    written.families_flagged = sum(1 for p in new_plans if p.flags)

    resident_rows: list[tuple[Any, ...]] = []
    token_rows: list[tuple[Any, ...]] = []
    for row in checked.rows:
        resident_rows.append(
            _resident_tuple(row, id_of[row.row], now, adapt_date, family_id_of, area_of, village_code)
        )
        if row.flags:
            written.residents_flagged += 1
        token_rows.extend(
            (id_of[row.row], village_code, token, row.values["name_key"])
            for token in dict.fromkeys(name_tokens(row.values["name"]))
        )
    with bulk_session():
        TableInserter(Family, FAMILY_COLUMNS).write(family_rows)
        TableInserter(Resident, RESIDENT_COLUMNS).write(resident_rows)
        TableInserter(ResidentNameToken, TOKEN_COLUMNS).write(token_rows)
        for family_id, head_id in heads_for_existing:
            Family.objects.filter(pk=family_id).update(head_id=head_id, updated_at=timezone.now())
    written.residents = len(resident_rows)
    return written


def _resident_tuple(
    row: ResidentRow,
    pk: int,
    now: Any,
    adapt_date: Callable[[Any], Any],
    family_id_of: dict[str, int],
    area_of: dict[str, tuple[str, str, str]],
    village_code: str,
) -> tuple[Any, ...]:
    v = row.values
    family_dusun, family_rw, family_rt = area_of[row.kk_number]
    return (
        pk, now, now, v["nik"], v["name"], v.get("birth_place", ""), adapt_date(v["birth_date"]), v["sex"],
        v["religion"], v["marital_status"], v["family_relation"], v["education"], v["occupation"],
        v["citizenship"], v["blood_type"], v["disability"], family_id_of[row.kk_number], village_code,
        v.get("dusun") or family_dusun, v.get("rw") or family_rw, v.get("rt") or family_rt, v.get("phone", ""),
        v["basic_status"], v["name_key"], bool(row.flags), "\n".join(dict.fromkeys(row.flags)),
    )  # fmt: skip
