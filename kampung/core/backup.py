"""Backups of a Kampung installation, and their restore.

One archive (``kampung-backup-YYYYmmdd-HHMMSS.tar.gz``, mode 0600) holds::

    database/kampung.sqlite3   SQLite: a copy made with SQLite's online backup API
    database/kampung.pgdump    PostgreSQL: ``pg_dump --format=custom``
    media/...                  every file under MEDIA_ROOT (letters' PDFs, scans, photos)
    manifest.json              written last: what is inside and how to check it

The manifest records the format version, the time, the app version, the engine, the
migration state, the row count of every table, the SHA-256 of every member, the audit
chains' heads, and notes on the signing keys: KEYS_DIR and each key's fingerprint. The keys
themselves are never in the archive (a stolen backup must not let anyone sign documents);
they are backed up separately (docs/operations.md, "Backups").

The counts, migrations and heads are read from the same snapshot as the dump (the SQLite
copy; on PostgreSQL a repeatable-read transaction whose snapshot ``pg_dump`` shares), so a
backup taken while the app runs is consistent with its manifest.

A restore checks the whole archive before it touches anything, refuses a database that
already holds data unless forced, restores, and then checks the result against the
manifest and verifies the audit chains. An archive restores into the engine it came from.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import load_backend
from django.utils import timezone

from kampung.core.errors import KampungError

FORMAT = "kampung-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/kampung.sqlite3"
PG_MEMBER = "database/kampung.pgdump"
MEDIA_PREFIX = "media/"
ENGINE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
KEYS_NOTE = (
    "The signing keys are NOT in this archive. Back up KEYS_DIR separately (encrypted, "
    "offline); without the private keys no new document can be signed, without the public "
    "keys old documents no longer verify."
)
_CHUNK = 1024 * 1024

Say = Callable[[str], None]


class BackupError(KampungError):
    code = "cadangan"


class RestoreError(KampungError):
    code = "pemulihan"


# --- databases ---------------------------------------------------------------------------


def engine_of(settings_dict: dict[str, Any]) -> str:
    engine = str(settings_dict.get("ENGINE", ""))
    if "sqlite3" in engine:
        return "sqlite"
    if "postgresql" in engine or "postgis" in engine:
        return "postgresql"
    raise BackupError(f"Mesin basis data {engine or '(kosong)'} tidak didukung; hanya SQLite dan PostgreSQL.")


@contextlib.contextmanager
def connected(settings_dict: dict[str, Any]) -> Iterator[BaseDatabaseWrapper]:
    """A new, separate Django connection to the database described by ``settings_dict``,
    registered under an alias of its own while in use (Django's internals look it up)."""
    alias = f"kampung_backup_{uuid.uuid4().hex}"
    # No health checks: their "SELECT 1" would open the snapshot transaction of a backup.
    plain = dict(settings_dict, CONN_HEALTH_CHECKS=False, CONN_MAX_AGE=0)
    configured = connections.configure_settings({DEFAULT_DB_ALIAS: plain})[DEFAULT_DB_ALIAS]
    backend = load_backend(configured["ENGINE"])
    wrapper: BaseDatabaseWrapper = backend.DatabaseWrapper(configured, alias)
    connections[alias] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections[alias]


@contextlib.contextmanager
def database_as_default(wrapper: BaseDatabaseWrapper) -> Iterator[None]:
    """Run the app's own code (the audit verifier) against ``wrapper`` as the default database."""
    previous = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = wrapper
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS] = previous


def _in_memory(settings_dict: dict[str, Any]) -> bool:
    name = str(settings_dict.get("NAME", ""))
    return name in ("", ":memory:") or "mode=memory" in name


@dataclass
class Facts:
    """What a database holds, in the terms the manifest records."""

    tables: dict[str, int] = field(default_factory=dict)
    migrations: dict[str, str] = field(default_factory=dict)
    migrations_applied: int = 0
    audit_heads: dict[str, list[Any]] = field(default_factory=dict)


def _audit_head_table() -> str:
    from kampung.audit.models import AuditChainHead

    return AuditChainHead._meta.db_table


def database_facts(wrapper: BaseDatabaseWrapper) -> Facts:
    """Row count of every table, last migration per app and the audit chain heads."""
    facts = Facts()
    quote = wrapper.ops.quote_name
    with wrapper.cursor() as cursor:
        tables = sorted(wrapper.introspection.table_names(cursor))
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - names from the schema
            facts.tables[table] = int(cursor.fetchone()[0])
        if "django_migrations" in tables:
            cursor.execute("SELECT app, name FROM django_migrations")
            rows = cursor.fetchall()
            facts.migrations_applied = len(rows)
            for app, name in rows:
                if name > facts.migrations.get(app, ""):
                    facts.migrations[app] = name
        head_table = _audit_head_table()
        if head_table in tables:
            cursor.execute(f"SELECT chain, seq, hash FROM {quote(head_table)} ORDER BY chain")  # noqa: S608
            facts.audit_heads = {chain: [int(seq), hashed] for chain, seq, hashed in cursor.fetchall()}
    return facts


def _occupying_tables() -> list[tuple[str, str]]:
    """Tables whose rows mean "this database is in use": ``kampung init`` and ``kampung demo``
    make a user and audit entries first; a database that ``migrate`` just made has neither."""
    from django.contrib.auth import get_user_model

    from kampung.audit.models import AuditEntry
    from kampung.documents.models import Document
    from kampung.population.models import Resident

    return [
        (get_user_model()._meta.db_table, "akun pengguna"),
        (AuditEntry._meta.db_table, "entri audit"),
        (Resident._meta.db_table, "penduduk"),
        (Document._meta.db_table, "dokumen"),
    ]


def database_occupied(wrapper: BaseDatabaseWrapper) -> dict[str, int]:
    """Rows in the tables that show the database is in use, by label (empty: none)."""
    found: dict[str, int] = {}
    quote = wrapper.ops.quote_name
    with wrapper.cursor() as cursor:
        tables = set(wrapper.introspection.table_names(cursor))
        for table, label in _occupying_tables():
            if table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - model tables
                count = int(cursor.fetchone()[0])
                if count:
                    found[label] = count
    return found


def _pg_command(tool: str, settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore; the password goes in PGPASSWORD only."""
    args = [tool, "--no-password"]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    env.pop("PGPASSWORD", None)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if options.get(option):
            env[variable] = str(options[option])
    return args, env


def _run(args: list[str], env: dict[str, str], what: str, error: type[KampungError]) -> None:
    if shutil.which(args[0]) is None:
        raise error(f"Program {args[0]} tidak ditemukan; pasang paket postgresql-client.")
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise error(f"{what} gagal: {' / '.join(detail[-3:]) or f'kode keluar {done.returncode}'}")


def _dump_sqlite(alias: str, target: Path) -> Facts:
    source = connections[alias]
    source.ensure_connection()
    raw = source.connection
    copy = sqlite3.connect(target)
    try:
        raw.backup(copy)  # one step: a consistent snapshot, even with writers in WAL mode
    finally:
        copy.close()
    with connected({"ENGINE": "django.db.backends.sqlite3", "NAME": str(target)}) as wrapper:
        return database_facts(wrapper)


def _dump_postgresql(alias: str, target: Path) -> Facts:
    settings_dict = connections[alias].settings_dict
    with connected(settings_dict) as wrapper:
        wrapper.ensure_connection()
        wrapper.set_autocommit(False)
        with wrapper.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        args, env = _pg_command("pg_dump", settings_dict)
        args += ["--format=custom", f"--snapshot={snapshot}", "--file", str(target)]
        args += ["--dbname", str(settings_dict["NAME"])]
        _run(args, env, "pg_dump", BackupError)
        facts = database_facts(wrapper)  # the same snapshot as the dump
        wrapper.rollback()
        return facts


# --- archive members ---------------------------------------------------------------------


class _HashingReader:
    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, name: str, files: dict[str, dict[str, Any]]) -> None:
    with path.open("rb") as handle:
        stat = os.fstat(handle.fileno())
        info = tarfile.TarInfo(name)
        info.size = stat.st_size
        info.mtime = int(stat.st_mtime)
        info.mode = 0o600
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    files[name] = {"sha256": reader.digest.hexdigest(), "bytes": info.size}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def media_files(root: Path) -> list[tuple[Path, str]]:
    """Every regular file under ``root`` with its path relative to it (posix), sorted."""
    if not root.is_dir():
        return []
    found: list[tuple[Path, str]] = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append((path, path.relative_to(root).as_posix()))
    return found


def keys_notes() -> dict[str, Any]:
    """Where the signing keys are and their fingerprints (SHA-256 of the raw public key)."""
    import base64

    from cryptography.hazmat.primitives import serialization

    from kampung.documents import keys

    base = keys.keys_dir()
    listed: list[dict[str, Any]] = []
    for regency in keys.regencies_with_keys():
        for info in keys.key_list(regency=regency):
            public = serialization.load_pem_public_key(info.public_pem.encode("ascii"))
            raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            private_file = base / regency.replace(".", "") / f"{info.kid}.key.pem"
            listed.append(
                {
                    "regency": regency,
                    "kid": info.kid,
                    "current": info.current,
                    "fingerprint": "SHA256:" + hashlib.sha256(raw).hexdigest(),
                    "public_key": base64.b64encode(raw).decode("ascii"),
                    "private_key_present": private_file.is_file(),
                }
            )
    return {"dir": str(base), "in_archive": False, "note": KEYS_NOTE, "keys": listed}


def app_version() -> str:
    try:
        return importlib.metadata.version("kampung")
    except importlib.metadata.PackageNotFoundError:
        return "tidak diketahui"


# --- backup -------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    size: int


def default_backup_dir() -> Path:
    from kampung.config import env

    return env.VAR_DIR / "backups"


def backup_create(*, output: Path | None = None, alias: str = DEFAULT_DB_ALIAS) -> BackupResult:
    """Write one archive of the database, the media files and the keys' notes.

    The archive is written under a ``.partial`` name and renamed only when complete, so an
    interrupted backup never leaves a file that looks like a finished one.
    """
    settings_dict = connections[alias].settings_dict
    engine = engine_of(settings_dict)
    now = timezone.now()
    file_name = f"kampung-backup-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar.gz"
    if output is None:
        target = default_backup_dir() / file_name
    elif output.name.endswith(".tar.gz"):
        target = output
    else:
        target = output / file_name  # a folder, made when missing
    if target.exists():
        raise BackupError(f"Berkas {target} sudah ada; pilih nama lain dengan --output.")
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_name(target.name + ".partial")
    media_root = Path(settings.MEDIA_ROOT)
    files: dict[str, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="kampung-backup-") as scratch:
            if engine == "sqlite":
                member, dump = SQLITE_MEMBER, Path(scratch) / "kampung.sqlite3"
                facts = _dump_sqlite(alias, dump)
            else:
                member, dump = PG_MEMBER, Path(scratch) / "kampung.pgdump"
                facts = _dump_postgresql(alias, dump)
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                _add_file(tar, dump, member, files)
                dump.unlink()
                for path, relative in media_files(media_root):
                    _add_file(tar, path, MEDIA_PREFIX + relative, files)
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": now.astimezone(dt.UTC).isoformat(),
                    "app_version": app_version(),
                    "engine": engine,
                    "database_member": member,
                    "media_root": str(media_root),
                    "migrations": facts.migrations,
                    "migrations_applied": facts.migrations_applied,
                    "tables": facts.tables,
                    "audit_heads": facts.audit_heads,
                    "keys": keys_notes(),
                    "files": files,
                }
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8"))
                tar.close()
                raw.flush()
                os.fsync(raw.fileno())
        os.replace(partial, target)
    except (OSError, DatabaseError) as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise BackupError(f"Cadangan gagal dan tidak dibuat: {exc}.") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    return BackupResult(path=target, manifest=manifest, size=target.stat().st_size)


# --- restore ------------------------------------------------------------------------------


@dataclass
class CheckedArchive:
    manifest: dict[str, Any]
    staging: Path

    @property
    def engine(self) -> str:
        return str(self.manifest["engine"])

    @property
    def database_file(self) -> Path:
        return self.staging / str(self.manifest["database_member"])

    @property
    def media_dir(self) -> Path:
        return self.staging / MEDIA_PREFIX.rstrip("/")

    @property
    def media_count(self) -> int:
        return sum(1 for name in self.manifest["files"] if name.startswith(MEDIA_PREFIX))


def _corrupt(reason: str) -> RestoreError:
    return RestoreError(f"Arsip cadangan rusak atau tidak lengkap ({reason}); tidak ada yang diubah.")


def _member_path(staging: Path, member: tarfile.TarInfo) -> Path:
    name = member.name
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts or "\\" in name or not pure.parts:
        raise _corrupt(f"nama anggota tidak sah: {name!r}")
    if not (name == MANIFEST or name.startswith("database/") or name.startswith(MEDIA_PREFIX)):
        raise _corrupt(f"anggota tak dikenal: {name!r}")
    return staging.joinpath(*pure.parts)


def archive_check(archive: Path, staging: Path) -> CheckedArchive:
    """Unpack ``archive`` into ``staging`` and check it against its manifest.

    Refuses (RestoreError, nothing outside ``staging`` touched): an unreadable or truncated
    archive, odd members (absolute paths, "..", links, devices), a member missing, extra or
    with another SHA-256 than the manifest says.
    """
    if not archive.is_file():
        raise RestoreError(f"Berkas {archive} tidak ditemukan.")
    digests: dict[str, tuple[str, int]] = {}
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                if member.isdir():
                    continue
                if not member.isreg():
                    raise _corrupt(f"anggota {member.name!r} bukan berkas biasa")
                if member.name in digests:
                    raise _corrupt(f"anggota {member.name!r} ada dua kali")
                path = _member_path(staging, member)
                path.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                if source is None:
                    raise _corrupt(f"anggota {member.name!r} tidak terbaca")
                digest = hashlib.sha256()
                size = 0
                with path.open("wb") as out:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                if size != member.size:
                    raise _corrupt(f"anggota {member.name!r} terpotong")
                digests[member.name] = (digest.hexdigest(), size)
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise _corrupt(f"tidak dapat dibaca: {exc}") from exc
    if MANIFEST not in digests:
        raise _corrupt("manifest.json tidak ada")
    try:
        manifest = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise _corrupt("bukan arsip cadangan Kampung")
        if int(manifest.get("format_version", 0)) > FORMAT_VERSION:
            raise RestoreError(
                f"Arsip ini berformat versi {manifest['format_version']}, lebih baru dari yang dikenal "
                f"Kampung ini ({FORMAT_VERSION}); pulihkan dengan versi Kampung yang membuatnya."
            )
        expected = {name: (str(v["sha256"]), int(v["bytes"])) for name, v in manifest["files"].items()}
        if manifest["engine"] not in ENGINE_LABELS:
            raise _corrupt(f"mesin basis data {manifest['engine']!r} tidak dikenal")
        database_member = str(manifest["database_member"])
        for key in ("tables", "migrations", "audit_heads"):
            if not isinstance(manifest[key], dict):
                raise _corrupt(f"bagian {key} manifest tidak sah")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _corrupt(f"manifest.json tidak sah: {exc}") from exc
    actual = {name: value for name, value in digests.items() if name != MANIFEST}
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    if missing:
        raise _corrupt(f"{len(missing)} berkas hilang, mis. {missing[0]}")
    if extra:
        raise _corrupt(f"{len(extra)} berkas tidak tercatat di manifest, mis. {extra[0]}")
    changed = sorted(name for name in expected if expected[name] != actual[name])
    if changed:
        raise _corrupt(f"{len(changed)} berkas tidak cocok dengan SHA-256 di manifest, mis. {changed[0]}")
    if database_member not in expected:
        raise _corrupt("berkas basis data tidak ada")
    return CheckedArchive(manifest=manifest, staging=staging)


@dataclass
class RestorePlan:
    """What a restore would replace; empty lists when the target holds nothing."""

    database: dict[str, int]
    media_files: int

    @property
    def occupied(self) -> bool:
        return bool(self.database) or self.media_files > 0

    def describe(self) -> str:
        from kampung.core.formatting import number_id

        parts = [f"{number_id(count)} {label}" for label, count in self.database.items()]
        if self.media_files:
            parts.append(f"{number_id(self.media_files)} berkas media")
        return ", ".join(parts)


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    tables: int
    rows: int
    media_files: int
    audit_chains: int
    audit_entries: int
    replaced: str = ""
    moved_aside: list[Path] = field(default_factory=list)
    pending_migrations: int = 0
    unknown_migrations: int = 0
    keys_missing: list[str] = field(default_factory=list)


def keys_missing(manifest: dict[str, Any]) -> list[str]:
    """Keys the archive's notes list that KEYS_DIR does not hold now (same kid and fingerprint,
    with its private key where the backed-up installation had one)."""
    here = {(k["kid"], k["fingerprint"]): k["private_key_present"] for k in keys_notes()["keys"]}
    missing = []
    for key in manifest["keys"]["keys"]:
        present = here.get((key["kid"], key["fingerprint"]))
        if present is None or (key["private_key_present"] and not present):
            missing.append(str(key["kid"]))
    return missing


def _stamp() -> str:
    return f"{timezone.localtime():%Y%m%d-%H%M%S}"


def _sqlite_target_files(name: Path) -> list[Path]:
    return [name, name.with_name(name.name + "-wal"), name.with_name(name.name + "-shm")]


def restore_plan(target: dict[str, Any], media_root: Path) -> RestorePlan:
    database: dict[str, int] = {}
    engine = engine_of(target)
    if engine != "sqlite" or _in_memory(target) or Path(str(target["NAME"])).exists():
        try:
            with connected(target) as wrapper:
                database = database_occupied(wrapper)
        except DatabaseError as exc:
            raise RestoreError(
                f"Basis data tujuan tidak dapat dibaca ({exc}); tidak ada yang diubah."
            ) from exc
    return RestorePlan(database=database, media_files=len(media_files(media_root)))


def _restore_sqlite(checked: CheckedArchive, target: dict[str, Any], moved: list[Path]) -> None:
    if _in_memory(target):
        raise RestoreError("Basis data tujuan ada di memori; pulihkan ke sebuah berkas SQLite.")
    name = Path(str(target["NAME"]))
    name.parent.mkdir(parents=True, exist_ok=True)
    incoming = name.with_name(name.name + ".restoring")
    shutil.copyfile(checked.database_file, incoming)
    os.chmod(incoming, 0o600)
    stamp = _stamp()
    for path in _sqlite_target_files(name):
        if path.exists():
            aside = path.with_name(f"{path.name}.before-restore-{stamp}")
            os.replace(path, aside)
            moved.append(aside)
    os.replace(incoming, name)


def _restore_postgresql(checked: CheckedArchive, target: dict[str, Any]) -> None:
    args, env = _pg_command("pg_restore", target)
    args += ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
    args += ["--dbname", str(target["NAME"]), str(checked.database_file)]
    _run(args, env, "pg_restore (tidak ada yang diubah di basis data)", RestoreError)


def _restore_media(checked: CheckedArchive, media_root: Path, moved: list[Path]) -> None:
    if media_root.exists():
        if any(media_root.iterdir()):
            aside = media_root.with_name(f"{media_root.name}.before-restore-{_stamp()}")
            os.replace(media_root, aside)
            moved.append(aside)
        else:
            media_root.rmdir()
    media_root.parent.mkdir(parents=True, exist_ok=True)
    if checked.media_dir.is_dir():
        os.replace(checked.media_dir, media_root)
    else:
        media_root.mkdir()


def _compare(manifest: dict[str, Any], facts: Facts) -> list[str]:
    problems: list[str] = []
    for table, count in sorted(manifest["tables"].items()):
        got = facts.tables.get(table)
        if got is None:
            problems.append(f"tabel {table} tidak ada")
        elif got != count:
            problems.append(f"tabel {table}: {got} baris, manifest {count}")
    if facts.migrations != manifest["migrations"]:
        problems.append("status migrasi berbeda dengan manifest")
    if facts.audit_heads != manifest["audit_heads"]:
        problems.append("kepala rantai audit berbeda dengan manifest")
    return problems


def _migration_gap(wrapper: BaseDatabaseWrapper) -> tuple[int, int]:
    """(migrations of this code not applied yet, applied migrations this code does not know)."""
    executor = MigrationExecutor(wrapper)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    unknown = set(executor.loader.applied_migrations) - set(executor.loader.graph.nodes)
    return len(plan), len(unknown)


def archive_inspect(archive: Path) -> dict[str, Any]:
    """Check ``archive`` fully (every member against the manifest) and return its manifest."""
    with tempfile.TemporaryDirectory(prefix="kampung-restore-check-") as staging:
        return archive_check(archive, Path(staging)).manifest


def restore_archive(
    archive: Path,
    *,
    target: dict[str, Any] | None = None,
    media_root: Path | None = None,
    force: bool = False,
    confirm: Callable[[RestorePlan, dict[str, Any]], bool] | None = None,
    say: Say | None = None,
) -> RestoreResult:
    """Restore ``archive`` into ``target`` (default: the configured database) and
    ``media_root`` (default: MEDIA_ROOT), then check the result.

    Every check that can refuse runs before anything is changed: the archive against its
    manifest, the engine, whether the target already holds data (refused unless ``force``).
    ``confirm`` is asked once the plan is known; False stops there. After the restore the
    row counts, the migration state and the audit chain heads must equal the manifest and
    every audit chain must verify.
    """
    say = say or (lambda _text: None)
    target = dict(target or connections[DEFAULT_DB_ALIAS].settings_dict)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    engine = engine_of(target)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".kampung-restore-", dir=media_root.parent))
    try:
        say(f"Memeriksa arsip {archive} ...")
        checked = archive_check(archive, staging)
        manifest = checked.manifest
        if checked.engine != engine:
            raise RestoreError(
                f"Arsip ini dari {ENGINE_LABELS[checked.engine]}, basis data tujuan "
                f"{ENGINE_LABELS[engine]}: pulihkan ke basis data {ENGINE_LABELS[checked.engine]}. "
                "Tidak ada yang diubah."
            )
        plan = restore_plan(target, media_root)
        if plan.occupied and not force:
            raise RestoreError(
                f"Tujuan pemulihan sudah berisi data ({plan.describe()}). Tidak ada yang diubah. "
                "Untuk menggantinya dengan isi arsip, ulangi dengan --force."
            )
        if confirm is not None and not confirm(plan, manifest):
            raise RestoreError("Pemulihan dibatalkan; tidak ada yang diubah.")
        if plan.occupied:
            say(f"Mengganti isi tujuan: {plan.describe()}.")
        default = connections[DEFAULT_DB_ALIAS]
        if engine == "sqlite" and default.settings_dict.get("NAME") == target.get("NAME"):
            default.close()  # the file is replaced under it
        moved: list[Path] = []
        say("Memulihkan basis data ...")
        if engine == "sqlite":
            _restore_sqlite(checked, target, moved)
        else:
            _restore_postgresql(checked, target)
        say("Memulihkan berkas media ...")
        _restore_media(checked, media_root, moved)
        say("Memeriksa hasil pemulihan ...")
        return _verify(checked, target, plan, moved)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _verify(
    checked: CheckedArchive, target: dict[str, Any], plan: RestorePlan, moved: list[Path]
) -> RestoreResult:
    from kampung.audit.services import audit_verify

    manifest = checked.manifest
    try:
        with connected(target) as wrapper:
            facts = database_facts(wrapper)
            problems = _compare(manifest, facts)
            with database_as_default(wrapper):
                verified = audit_verify()
            problems += [f"jejak audit: {problem}" for problem in verified.problems[:5]]
            pending, unknown = _migration_gap(wrapper)
    except DatabaseError as exc:
        raise RestoreError(
            f"Pemulihan selesai tetapi basis data hasilnya tidak dapat diperiksa ({exc}). "
            "Jangan jalankan aplikasi; ulangi pemulihan atau pakai arsip lain."
        ) from exc
    if problems:
        raise RestoreError(
            "Pemulihan selesai tetapi hasilnya tidak cocok dengan arsip: "
            + "; ".join(problems[:10])
            + ". Jangan jalankan aplikasi; ulangi pemulihan atau pakai arsip lain."
        )
    return RestoreResult(
        manifest=manifest,
        tables=len(manifest["tables"]),
        rows=sum(int(count) for count in manifest["tables"].values()),
        media_files=checked.media_count,
        audit_chains=verified.chains,
        audit_entries=verified.entries,
        replaced=plan.describe(),
        moved_aside=moved,
        pending_migrations=pending,
        unknown_migrations=unknown,
        keys_missing=keys_missing(manifest),
    )
