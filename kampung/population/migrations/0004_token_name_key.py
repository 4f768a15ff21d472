# A resident's normalised name on each of their name tokens, so a page of a name search in
# name order comes from the token indexes alone (see ResidentNameToken).
#
# Written by hand for a register of millions of tokens: the column is added in place (no
# table copy on SQLite), filled by one UPDATE in the database (not row by row in Python),
# and only then indexed. On PostgreSQL the UPDATE leaves every token row newly written;
# index-only scans need them marked all-visible again, which autovacuum does shortly after
# (or run ``VACUUM ANALYZE population_residentnametoken`` by hand; see docs/operations.md).

import django.db.models.deletion
from django.db import migrations, models

TABLE = "population_residentnametoken"
RESIDENTS = "population_resident"
# The index Django made for the foreign key (0002); resident_token_word replaces it, and
# resident_token_name (with the name) replaces resident_token_prefix.
FK_INDEX = "population_residentnametoken_resident_id_2aab1eb8"


def add_and_fill(apps, schema_editor):
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    table, residents = qn(TABLE), qn(RESIDENTS)
    with connection.cursor() as cursor:
        # A NOT NULL column is added in place only with a default; SQLite cannot drop it
        # afterwards (harmless: the model always gives a value).
        cursor.execute(f"ALTER TABLE {table} ADD COLUMN {qn('name_key')} varchar(150) DEFAULT '' NOT NULL")
        if connection.vendor != "sqlite":
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {qn('name_key')} DROP DEFAULT")
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS t SET name_key = r.name_key FROM {residents} AS r "
                "WHERE r.id = t.resident_id AND r.name_key <> ''"
            )
        else:
            cursor.execute(
                f"UPDATE {table} SET name_key = (SELECT r.name_key FROM {residents} AS r "
                f"WHERE r.id = {table}.resident_id) "
                f"WHERE EXISTS (SELECT 1 FROM {residents} AS r WHERE r.id = {table}.resident_id "
                "AND r.name_key <> '')"
            )
        cursor.execute(f"DROP INDEX IF EXISTS {qn(FK_INDEX)}")


def drop_column(apps, schema_editor):
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX {qn(FK_INDEX)} ON {qn(TABLE)} ({qn('resident_id')})")
        cursor.execute(f"ALTER TABLE {qn(TABLE)} DROP COLUMN {qn('name_key')}")


def analyze(apps, schema_editor):
    # Fresh statistics for the planner (PostgreSQL). VACUUM cannot run inside the
    # migration's transaction; autovacuum follows. SQLite databases here keep no statistics
    # (no sqlite_stat1), and starting them for one table would change other plans.
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("population", "0003_accounts_and_temporary"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="residentnametoken",
                    name="name_key",
                    field=models.CharField(default="", max_length=150),
                ),
                migrations.AlterField(
                    model_name="residentnametoken",
                    name="resident",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="name_tokens",
                        to="population.resident",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(add_and_fill, drop_column)],
        ),
        migrations.RemoveIndex(model_name="residentnametoken", name="resident_token_prefix"),
        migrations.AddIndex(
            model_name="residentnametoken",
            index=models.Index(
                fields=["village", "token", "name_key", "resident"], name="resident_token_name"
            ),
        ),
        migrations.AddIndex(
            model_name="residentnametoken",
            index=models.Index(fields=["resident", "token", "village"], name="resident_token_word"),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
