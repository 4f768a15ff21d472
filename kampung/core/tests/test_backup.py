"""`kampung backup` and `kampung restore` (issue #11): a round trip from a database filled by
many apps into a new empty database (every table, every row and column; every media file byte
for byte; the audit chains verify), and the refusals (corrupt or tampered archive, another
engine, a target that already holds data, no confirmation). Runs on SQLite and PostgreSQL:
the dump is read by another connection, so the tests commit (transaction=True)."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import stat
import tarfile
import uuid
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.audit.services import audit_anchor, audit_record, audit_verify
from kampung.conftest import REGENCY, VILLAGE_A1, VILLAGE_A2
from kampung.core import backup

pytestmark = pytest.mark.django_db(transaction=True)


# --- the installation, a scratch database, and readers of both ---------------------------


@pytest.fixture
def site(settings: Any, tmp_path: Path) -> Path:
    """MEDIA_ROOT and KEYS_DIR of the installation under test, with the regency's key."""
    from kampung.documents import keys

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KEYS_DIR = tmp_path / "keys"
    settings.PUBLIC_BASE_URL = "https://desa.example.go.id"
    keys.key_generate(regency=REGENCY)
    return tmp_path


def _pg_admin(source: dict[str, Any], sql: str) -> None:
    import psycopg

    with psycopg.connect(
        host=source["HOST"] or None,
        port=source["PORT"] or None,
        user=source["USER"] or None,
        password=source["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(sql)


def _url(target: dict[str, Any]) -> str:
    if "sqlite" in target["ENGINE"]:
        return f"sqlite:///{target['NAME']}"
    auth = quote(target["USER"] or "", safe="")
    if target.get("PASSWORD"):
        auth += ":" + quote(target["PASSWORD"], safe="")
    return f"postgres://{auth}@{target['HOST'] or '127.0.0.1'}:{target['PORT'] or 5432}/{target['NAME']}"


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A new, empty database of the engine the suite runs on (dropped afterwards on PostgreSQL)."""
    source = connections["default"].settings_dict
    if connections["default"].vendor == "postgresql":
        name = f"{source['NAME']}_r{uuid.uuid4().hex[:10]}"
        _pg_admin(source, f'CREATE DATABASE "{name}"')
        try:
            yield {
                "ENGINE": source["ENGINE"],
                "NAME": name,
                "USER": source["USER"],
                "PASSWORD": source["PASSWORD"],
                "HOST": source["HOST"],
                "PORT": source["PORT"],
            }
        finally:
            _pg_admin(source, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "restored" / "kampung.sqlite3")}


def every_table(wrapper: Any) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every table in the schema: its columns and all its rows, ordered by primary key."""
    quote_name = wrapper.ops.quote_name
    found: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    with wrapper.cursor() as cursor:
        for table in sorted(wrapper.introspection.table_names(cursor)):
            columns = [c.name for c in wrapper.introspection.get_table_description(cursor, table)]
            order = wrapper.introspection.get_primary_key_columns(cursor, table) or columns
            cursor.execute(
                f"SELECT {', '.join(map(quote_name, columns))} FROM {quote_name(table)} "
                f"ORDER BY {', '.join(map(quote_name, order))}"
            )
            found[table] = (columns, [tuple(row) for row in cursor.fetchall()])
    return found


def sequences(wrapper: Any) -> list[tuple[Any, ...]]:
    """Where each table's id counter stands (so the restored database numbers new rows on)."""
    sql = (
        "SELECT name, seq FROM sqlite_sequence ORDER BY name"
        if wrapper.vendor == "sqlite"
        else "SELECT schemaname, sequencename, last_value FROM pg_sequences ORDER BY 1, 2"
    )
    with wrapper.cursor() as cursor:
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def restored_count(target: dict[str, Any], model: Any) -> int:
    with backup.connected(target) as wrapper, backup.database_as_default(wrapper):
        return int(model.objects.count())


def make_backup(out_dir: Path) -> Path:
    out_dir.mkdir(exist_ok=True)
    call_command("backup", output=str(out_dir), stdout=StringIO())
    (archive,) = out_dir.glob("kampung-backup-*.tar.gz")
    return archive


def restore(archive: Path, target: dict[str, Any], media: Path, **options: Any) -> str:
    out = StringIO()
    call_command(
        "restore",
        str(archive),
        database_url=_url(target),
        media_root=str(media),
        stdout=out,
        **{"yes": True, **options},
    )
    return out.getvalue()


# --- data from many apps, through their own services -------------------------------------


def fill(world: Any, media: Path) -> None:
    """Residents, a signed letter with its PDF, an APBDes with a paid SPP and its attachment,
    an assistance case, audit anchors, and a media file with an awkward name."""
    from kampung.assistance.services.cases import case_register
    from kampung.assistance.tests.factories import household, programmes
    from kampung.finance.services import payments
    from kampung.finance.tests.payments_helpers import activity, make_spp, setup_village, to_approved
    from kampung.letters import services_requests as letters
    from kampung.letters.loader import catalogue_ensure
    from kampung.letters.models import LetterType
    from kampung.letters.models_requests import Channel
    from kampung.letters.tests.requests_support import DOMISILI, person
    from kampung.regions.models import Region

    catalogue_ensure()
    with time_machine.travel(dt.datetime(2026, 6, 15, 3, 0, tzinfo=dt.UTC), tick=False):
        siti = person(world)
        person(world, name="Bambang Wijaya", birth=dt.date(1975, 8, 17))
        request = letters.request_submit(
            actor=world.user(Role.OPERATOR, VILLAGE_A1),
            village=Region.objects.get(code=VILLAGE_A1),
            channel=Channel.COUNTER,
            data=letters.RequestInput(
                letter_type=LetterType.objects.get(slug=DOMISILI), requester=siti, purpose="Melamar pekerjaan"
            ),
        )
        letters.request_verify(actor=world.user(Role.OPERATOR, VILLAGE_A1), request=request)
        letters.request_sign(actor=world.user(Role.HEAD, VILLAGE_A1), request=request)

        road = activity(setup_village(bank=300_000_000))
        spp = to_approved(
            world,
            make_spp(
                world,
                road,
                {"Rabat beton": 10_000_000},
                kind="LS",
                day=dt.date(2026, 4, 6),
                payee_npwp="012345678901000",
            ),
        )
        payments.spp_pay(
            actor=world.user(Role.TREASURER, VILLAGE_A1),
            spp=spp,
            date=dt.date(2026, 4, 7),
            method="transfer",
            reference="TRX-1",
            taxes=[(spp.lines.get().pk, "PPH4_2K")],
        )

        rtlh, _ = programmes()
        family, _ = household(world, VILLAGE_A2, members=2, name="Sumarno")
        case_register(
            actor=world.user(Role.OPERATOR, VILLAGE_A2),
            programme=rtlh,
            year=2026,
            family=family,
            reason="Atap",
        )
        audit_anchor()
    odd = media / "private" / "catatan lama" / "berita acara (salinan) é.txt"
    odd.parent.mkdir(parents=True, exist_ok=True)
    odd.write_bytes(bytes(range(256)) * 4)


# --- the round trip ----------------------------------------------------------------------


def test_round_trip_into_a_new_empty_database_keeps_every_row_file_and_audit_chain(
    world: Any, site: Path, scratch: dict[str, Any]
) -> None:
    from kampung.assistance.models import Case
    from kampung.documents.models import Document
    from kampung.finance.models import Spp, SppAttachment

    media = site / "media"
    fill(world, media)
    document = Document.objects.get()
    assert document.sha256 and (media / document.file.name).is_file()  # the letter's PDF
    assert SppAttachment.objects.exists() and Spp.objects.filter(status="dibayar").exists()
    assert Case.objects.exists()
    source_entries = AuditEntry.objects.count()

    out = StringIO()
    call_command("backup", output=str(site / "arsip"), stdout=out)
    (archive,) = (site / "arsip").glob("kampung-backup-*.tar.gz")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert not list((site / "arsip").glob("*.partial"))
    assert "TIDAK ikut dicadangkan" in out.getvalue()

    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert not any(name.startswith("keys") or name.endswith(".key.pem") for name in names)
    assert manifest["engine"] == connections["default"].vendor
    assert manifest["keys"]["in_archive"] is False
    (key,) = manifest["keys"]["keys"]
    assert key["fingerprint"].startswith("SHA256:") and key["fingerprint"][7:15] == key["kid"][-8:]
    assert key["private_key_present"] is True
    assert manifest["tables"]["documents_document"] == 1
    assert manifest["audit_heads"] and set(manifest["migrations"]) >= {"audit", "finance", "letters"}
    assert f"media/{document.file.name}" in manifest["files"]

    restored_media = site / "restored-media"
    printed = restore(archive, scratch, restored_media)
    assert "Pemulihan selesai" in printed and "jejak audit utuh" in printed
    assert "1 kunci yang dicatat arsip ada di" in printed

    # Every table of the schema, every row and column, in primary-key order.
    source = every_table(connections["default"])
    with backup.connected(scratch) as wrapper:
        copy = every_table(wrapper)
        copy_sequences = sequences(wrapper)
    assert sorted(copy) == sorted(source)
    assert len(source) > 100
    different = [table for table in source if source[table] != copy[table]]
    assert different == []
    assert copy_sequences == sequences(connections["default"]) and copy_sequences
    filled = {table for table, (_, rows) in source.items() if rows}
    assert {
        "accounts_user",
        "population_resident",
        "letters_letterrequest",
        "documents_document",
        "finance_apbdes",
        "finance_spp",
        "finance_journalentry",
        "assistance_case",
        "audit_auditentry",
        "audit_auditanchor",
    } <= filled

    # Every media file, byte for byte.
    assert files_under(restored_media) == files_under(media)
    assert len(files_under(media)) >= 3

    # The audit chains verify on the restored database, and it takes new entries (sequences
    # and chain heads came along).
    with backup.connected(scratch) as wrapper:
        with backup.database_as_default(wrapper):
            result = audit_verify()
            assert result.ok and result.entries == source_entries and result.anchors > 0
            verified = StringIO()
            call_command("audit", "verify", stdout=verified)
            assert "Jejak audit utuh" in verified.getvalue()
            audit_record(actor=None, act="uji.setelah_pulih", region=VILLAGE_A1)
            assert audit_verify().ok


# --- refusals ----------------------------------------------------------------------------


def _small_installation(site: Path) -> None:
    """A few audit entries and one media file: enough to back up."""
    audit_record(actor=None, act="uji.cadangan", region=VILLAGE_A1, after={"n": 1})
    audit_record(actor=None, act="uji.cadangan", region=VILLAGE_A2, after={"n": 2})
    (site / "media" / "logo").mkdir(parents=True, exist_ok=True)
    (site / "media" / "logo" / "desa.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x01" * 100)


def _rewrite(archive: Path, target: Path, change: Any) -> Path:
    """A copy of ``archive`` with members changed by ``change(name, data) -> [(name, data)]``."""
    buffer = io.BytesIO()
    with tarfile.open(archive) as source, tarfile.open(fileobj=buffer, mode="w:gz") as out:
        for member in source:
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            for name, new in change(member.name, data):
                info = tarfile.TarInfo(name)
                info.size = len(new)
                out.addfile(info, io.BytesIO(new))
    target.write_bytes(buffer.getvalue())
    return target


def _untouched(target: dict[str, Any], media: Path) -> None:
    assert not media.exists()
    if "sqlite" in target["ENGINE"]:
        assert not Path(target["NAME"]).exists()
    else:
        with backup.connected(target) as wrapper, wrapper.cursor() as cursor:
            assert wrapper.introspection.table_names(cursor) == []


def test_a_corrupt_tampered_or_foreign_archive_is_refused_and_changes_nothing(
    site: Path, scratch: dict[str, Any]
) -> None:
    _small_installation(site)
    archive = make_backup(site / "arsip")
    media = site / "restored-media"
    call_command("restore", str(archive), check=True, stdout=(checked := StringIO()))
    assert "Arsip utuh" in checked.getvalue()

    truncated = site / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    tampered = _rewrite(
        archive,
        site / "tampered.tar.gz",
        lambda name, data: [
            (name, data.replace(b"\x01", b"\x02") if name == "media/logo/desa.png" else data)
        ],
    )
    smuggled = _rewrite(
        archive,
        site / "smuggled.tar.gz",
        lambda name, data: (
            [(name, data), ("media/../../evil.txt", b"x")] if name.endswith(".png") else [(name, data)]
        ),
    )
    unlisted = _rewrite(
        archive,
        site / "unlisted.tar.gz",
        lambda name, data: (
            [(name, data), ("media/extra.txt", b"x")] if name.endswith(".png") else [(name, data)]
        ),
    )
    missing = _rewrite(
        archive, site / "missing.tar.gz", lambda name, data: [] if name.endswith(".png") else [(name, data)]
    )
    garbage = site / "garbage.tar.gz"
    garbage.write_bytes(gzip.compress(b"bukan arsip tar sama sekali" * 100))

    for bad, reason in [
        (truncated, "rusak atau tidak lengkap"),
        (tampered, "tidak cocok dengan SHA-256"),
        (smuggled, "nama anggota tidak sah"),
        (unlisted, "tidak tercatat di manifest"),
        (missing, "berkas hilang"),
        (garbage, "rusak atau tidak lengkap"),
        (site / "tidak-ada.tar.gz", "tidak ditemukan"),
    ]:
        with pytest.raises(CommandError, match=reason):
            restore(bad, scratch, media)
        _untouched(scratch, media)
        with pytest.raises(CommandError):
            call_command("restore", str(bad), check=True, stdout=StringIO())
    assert not (site / "evil.txt").exists() and not (site.parent / "evil.txt").exists()

    other = "postgresql" if connections["default"].vendor == "sqlite" else "sqlite"

    def foreign(name: str, data: bytes) -> list[tuple[str, bytes]]:
        if name != "manifest.json":
            return [(name, data)]
        manifest = json.loads(data)
        manifest["engine"] = other
        return [(name, json.dumps(manifest).encode())]

    with pytest.raises(CommandError, match="Arsip ini dari"):
        restore(_rewrite(archive, site / "foreign.tar.gz", foreign), scratch, media)
    _untouched(scratch, media)


def test_a_target_that_holds_data_is_refused_without_force_and_replaced_with_it(
    site: Path, scratch: dict[str, Any], settings: Any
) -> None:
    _small_installation(site)
    archive = make_backup(site / "arsip")
    entries = AuditEntry.objects.count()

    # The configured database (the running installation) holds data: refused, nothing changed.
    with pytest.raises(CommandError, match="sudah berisi data .*--force"):
        call_command("restore", str(archive), yes=True, stdout=StringIO())
    assert AuditEntry.objects.count() == entries
    assert files_under(site / "media") == {"logo/desa.png": b"\x89PNG\r\n\x1a\n" + b"\x01" * 100}

    media = site / "restored-media"
    restore(archive, scratch, media)
    audit_record(actor=None, act="uji.sesudah", region=VILLAGE_A1)  # the source moves on
    newer = make_backup(site / "arsip-2")
    (media / "sisa.txt").write_bytes(b"sisa")

    with pytest.raises(CommandError, match=rf"sudah berisi data \({entries} entri audit, 2 berkas media\)"):
        restore(newer, scratch, media)
    assert restored_count(scratch, AuditEntry) == entries

    settings.KEYS_DIR = site / "kunci-kosong"  # a new server whose keys are not restored yet
    printed = restore(newer, scratch, media, force=True)
    assert "1 dari 1 kunci yang dicatat arsip tidak ada di" in printed
    assert f"Mengganti isi tujuan: {entries} entri audit, 2 berkas media." in printed
    assert restored_count(scratch, AuditEntry) == entries + 1
    assert files_under(media) == files_under(site / "media")
    (aside,) = site.glob("restored-media.before-restore-*")
    assert files_under(aside)["sisa.txt"] == b"sisa"  # the replaced media are kept aside


def test_restore_without_yes_asks_and_a_non_terminal_is_refused(site: Path, scratch: dict[str, Any]) -> None:
    _small_installation(site)
    archive = make_backup(site / "arsip")
    media = site / "restored-media"
    with pytest.raises(CommandError, match="--yes"):
        restore(archive, scratch, media, yes=False)
    _untouched(scratch, media)


def test_an_interrupted_backup_leaves_no_archive(site: Path, monkeypatch: Any) -> None:
    _small_installation(site)

    def fail() -> dict[str, Any]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup, "keys_notes", fail)  # called while the archive is being written
    out = site / "arsip"
    out.mkdir()
    with pytest.raises(CommandError, match="Cadangan gagal dan tidak dibuat"):
        call_command("backup", output=str(out), stdout=StringIO())
    assert list(out.iterdir()) == []
