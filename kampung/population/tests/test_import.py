"""Importing residents and families: both layouts, all-or-nothing, every problem at once."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.accounts.services import assignment_add
from kampung.audit.models import AuditEntry
from kampung.conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.core.errors import NotPermitted
from kampung.population.importing import (
    ImportRejected,
    population_import,
    population_import_check,
    writing,
)
from kampung.population.importing.layouts import opensid_columns
from kampung.population.importing.templates import template_headers
from kampung.population.models import Family, Resident, ResidentNameToken, Sex
from kampung.population.tests.factories import make_family, make_resident, nik_for
from kampung.regions.models import Region

ROOT = Path(__file__).resolve().parents[3]
A1_PREFIX = "351001"


def kk(serial: int, prefix: str = A1_PREFIX) -> str:
    return f"{prefix}010115{serial:04d}"


def nik(birth: dt.date, sex: int, serial: int) -> str:
    return nik_for(VILLAGE_A1, birth, sex, serial)


def person(**values: Any) -> dict[str, Any]:
    """One row of our template (header -> value), a valid head of family by default."""
    birth = values.pop("birth", dt.date(1980, 5, 17))
    sex = values.pop("sex_code", Sex.MALE)
    row = {
        "NIK": nik(birth, sex, values.pop("serial", 7001)),
        "Nama": "Slamet Widodo",
        "Nomor KK": kk(7001),
        "Hubungan dalam keluarga": "KEPALA KELUARGA",
        "Jenis kelamin": "L" if sex == Sex.MALE else "P",
        "Tempat lahir": "Banyuwangi",
        "Tanggal lahir": birth.strftime("%d-%m-%Y"),
        "Agama": "Islam",
        "Status perkawinan": "KAWIN",
        "Pendidikan dalam KK": "SLTA / SEDERAJAT",
        "Pekerjaan": "PETANI/PEKEBUN",
        "Kewarganegaraan": "WNI",
        "Golongan darah": "O",
        "Cacat": "",
        "Alamat": "Dusun Krajan",
        "Dusun": "Krajan",
        "RW": "1",
        "RT": "3",
        "Telepon": "",
    }
    row.update(values)
    return row


def family_rows(kk_serial: int, first_serial: int) -> list[dict[str, Any]]:
    """A head, his wife and a child under one KK (birth days differ per KK, so two families
    are not possible duplicates of each other)."""
    number = kk(kk_serial)
    day = 1 + kk_serial % 28
    return [
        person(serial=first_serial, birth=dt.date(1980, 5, day), **{"Nomor KK": number}),
        person(
            serial=first_serial + 1,
            birth=dt.date(1984, 2, day),
            sex_code=Sex.FEMALE,
            **{"Nama": "Siti Aminah", "Nomor KK": number, "Hubungan dalam keluarga": "ISTRI"},
        ),
        person(
            serial=first_serial + 2,
            birth=dt.date(2010, 11, day),
            sex_code=Sex.MALE,
            **{
                "Nama": "Ahmad Rizky",
                "Nomor KK": number,
                "Hubungan dalam keluarga": "4",
                "Status perkawinan": "1",
                "Pekerjaan": "PELAJAR/MAHASISWA",
                "RW": "",
                "RT": "",
                "Dusun": "",
            },
        ),
    ]


def kampung_csv(rows: list[dict[str, Any]], *, delimiter: str = ";", bom: bool = True) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(template_headers())
    for row in rows:
        writer.writerow([row.get(h, "") for h in template_headers()])
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


def xlsx(headers: list[str], rows: list[list[Any]], sheet: str = "Data Penduduk") -> bytes:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def opensid_row(**values: Any) -> dict[str, Any]:
    birth = values.pop("birth", dt.date(1975, 8, 1))
    sex = values.pop("sex", 1)
    row: dict[str, Any] = dict.fromkeys(opensid_columns(), "")
    row.update(
        alamat="Jl. Kenanga 4",
        dusun="Sumberejo",
        rw="002",
        rt="004",
        nama="Bambang Sutrisno",
        no_kk=kk(8001),
        nik=nik(birth, sex, values.pop("serial", 8001)),
        sex=sex,
        tempatlahir="Jember",
        tanggallahir=birth,
        agama_id=1,
        pendidikan_kk_id=3,
        pendidikan_sedang_id=18,
        pekerjaan_id=9,
        status_kawin=2,
        kk_level=1,
        warganegara_id=1,
        nama_ayah="Sukardi",
        nama_ibu="Painah",
        golongan_darah_id=13,
        cacat_id=7,
        status_dasar=1,
        ktp_el=2,
    )
    row.update(values)
    return row


def operator(world: Any, code: str = VILLAGE_A1) -> Any:
    return world.user(Role.OPERATOR, code)


def village(code: str = VILLAGE_A1) -> Region:
    return Region.objects.get(code=code)


def counts() -> tuple[int, int, int, int]:
    return (
        Resident.objects.count(),
        Family.objects.count(),
        ResidentNameToken.objects.count(),
        AuditEntry.objects.count(),
    )


# -- layouts and formats ---------------------------------------------------------------------


def test_kampung_csv_with_bom_and_semicolons_imports_families_and_residents(world):
    rows = family_rows(7001, 7001) + family_rows(7002, 7101)
    content = kampung_csv(rows, delimiter=";", bom=True)
    report = population_import(
        actor=operator(world), village=village(), content=content, file_name="warga.csv"
    )
    assert report.ok and report.written
    assert (report.layout, report.rows, report.residents, report.families_new) == ("kampung", 6, 6, 2)
    family = Family.objects.get(kk_number=kk(7001))
    assert family.village_id == VILLAGE_A1
    assert (family.address, family.dusun, family.rw, family.rt) == ("Dusun Krajan", "Krajan", "001", "003")
    assert family.head is not None and family.head.name == "Slamet Widodo"
    members = {r.name: r for r in family.members.all()}
    assert set(members) == {"Slamet Widodo", "Siti Aminah", "Ahmad Rizky"}
    wife, child = members["Siti Aminah"], members["Ahmad Rizky"]
    assert (wife.sex, wife.family_relation, wife.marital_status, wife.religion) == (Sex.FEMALE, 3, 2, 1)
    assert (child.family_relation, child.occupation, child.birth_date) == (4, 3, dt.date(2010, 11, 2))
    # An empty dusun/RW/RT is the family's, as when a member is added by hand.
    assert (child.dusun, child.rw, child.rt) == ("Krajan", "001", "003")
    assert child.name_key == "ahmad rizky" and not child.needs_review
    assert set(child.name_tokens.values_list("token", flat=True)) == {"ahmad", "rizky"}
    assert child.blood_type == 4 and members["Slamet Widodo"].education == 5
    entry = AuditEntry.objects.get(act="population.import")
    assert entry.region_code == VILLAGE_A1 and entry.actor == operator(world)
    assert entry.after["file"] == "warga.csv" and entry.after["layout"] == "kampung"
    assert entry.after["residents"] == 6 and entry.after["families_new"] == 2
    # No life events are invented for imported people.
    assert not Resident.objects.filter(events__isnull=False).exists()


def test_kampung_xlsx_and_comma_csv_without_bom(world):
    rows = family_rows(7003, 7201)
    headers = template_headers()
    content = xlsx(headers, [[r[h] for h in headers] for r in rows])
    report = population_import(actor=operator(world), village=village(), content=content, file_name="a.xlsx")
    assert report.residents == 3
    more = kampung_csv(family_rows(7004, 7301), delimiter=",", bom=False)
    report = population_import(actor=operator(world), village=village(), content=more, file_name="b.csv")
    assert report.residents == 3 and Resident.objects.filter(village_id=VILLAGE_A1).count() == 6


def test_opensid_xlsx_with_codes_numbers_and_excel_dates(world):
    head = opensid_row()
    wife_birth = dt.date(1979, 3, 12)
    wife = opensid_row(
        nama="Sumiati",
        nik=int(nik(wife_birth, 2, 8002)),  # Excel kept the NIK as a number
        sex=2,
        tanggallahir="1979-03-12",
        kk_level=3,
        pekerjaan_id=2,
        golongan_darah_id=1,
        cacat_id="",
    )
    child_birth = dt.date(2004, 7, 1)
    child = opensid_row(
        nama="Dewi Lestari",
        nik=nik(child_birth, 2, 8003),
        sex=2,
        tanggallahir=(child_birth - dt.date(1899, 12, 30)).days,  # an Excel serial date
        kk_level=4,
        status_kawin=1,
        pekerjaan_id=3,
    )
    headers = list(opensid_columns())
    content = xlsx(headers, [[r[c] for c in headers] for r in (head, wife, child)])
    report = population_import(
        actor=operator(world), village=village(), content=content, file_name="opensid.xlsx"
    )
    assert report.layout == "opensid" and report.residents == 3 and report.families_new == 1
    assert "nama_ayah" in report.ignored_columns and "pendidikan_sedang_id" in report.ignored_columns
    family = Family.objects.get(kk_number=kk(8001))
    assert (family.address, family.dusun, family.rw, family.rt) == (
        "Jl. Kenanga 4",
        "Sumberejo",
        "002",
        "004",
    )
    imported = {r.name: r for r in family.members.all()}
    assert imported["Sumiati"].nik == nik(wife_birth, 2, 8002)
    assert imported["Sumiati"].disability is None and imported["Sumiati"].blood_type == 1
    assert imported["Dewi Lestari"].birth_date == child_birth
    assert imported["Bambang Sutrisno"].occupation == 9 and imported["Bambang Sutrisno"].disability == 7
    assert family.head == imported["Bambang Sutrisno"]


def test_opensid_csv_and_layout_chosen_by_user(world):
    rows = [opensid_row(serial=8101, no_kk=kk(8101), tanggallahir="1975-08-01")]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(opensid_columns()))
    writer.writeheader()
    writer.writerows(rows)
    content = buffer.getvalue().encode()
    report = population_import_check(
        actor=operator(world), village=village(), content=content, file_name="x.csv", layout="opensid"
    )
    assert report.ok and report.residents == 1
    wrong = population_import_check(
        actor=operator(world), village=village(), content=content, file_name="x.csv", layout="kampung"
    )
    assert not wrong.ok
    assert any("bukan Templat Kampung" in p.message for p in wrong.problems)
    assert Resident.objects.count() == 0  # a check writes nothing


# -- every problem at once, nothing written ------------------------------------------------


def test_every_row_error_is_reported_at_once_and_nothing_is_written(world):
    elsewhere = make_family(world, VILLAGE_B1, kk_number=kk(9901, "351015"))
    living = make_resident(world, VILLAGE_A2, name="Sudah Ada", birth=dt.date(1970, 1, 1))
    before = counts()
    rows = [
        person(serial=7401, **{"Nomor KK": kk(7401)}),  # row 2: fine
        person(serial=7402, **{"Nomor KK": kk(7401), "Nama": "", "Hubungan dalam keluarga": "ANAK"}),  # 3
        person(**{"NIK": "35100112345", "Nomor KK": kk(7401), "Hubungan dalam keluarga": "ANAK"}),  # 4
        person(
            serial=7404, **{"Nomor KK": kk(7401), "Jenis kelamin": "X", "Hubungan dalam keluarga": "4"}
        ),  # 5
        person(
            serial=7405, **{"Nomor KK": kk(7401), "Agama": "Kejawen", "Hubungan dalam keluarga": "4"}
        ),  # 6
        person(serial=7406, **{"Nomor KK": kk(7401), "Tanggal lahir": "31-02-1990"}),  # 7: bad date
        person(serial=7407, **{"Nomor KK": kk(7401), "RT": "12a", "Hubungan dalam keluarga": "4"}),  # 8
        person(serial=7401, **{"Nomor KK": kk(7401), "Hubungan dalam keluarga": "4"}),  # 9: NIK again
        person(**{"NIK": living.nik, "Nomor KK": kk(7401), "Hubungan dalam keluarga": "4"}),  # 10
        person(serial=7410, **{"Nomor KK": elsewhere.kk_number}),  # 11: KK of another village
        person(serial=7411, **{"Nomor KK": kk(7401)}),  # 12: second head of KK 7401
        person(
            serial=7412, **{"Nomor KK": kk(7412), "Hubungan dalam keluarga": "ANAK"}
        ),  # 13: KK without head
        person(serial=7413, **{"Nomor KK": "3510013213150001"}),  # 14: KK date 32-13
        person(
            serial=7414, **{"Nomor KK": kk(7401), "Pekerjaan": "99", "Hubungan dalam keluarga": "4"}
        ),  # 15
        person(
            serial=7415, **{"Nomor KK": kk(7401), "Tanggal lahir": "", "Hubungan dalam keluarga": "4"}
        ),  # 16
        person(
            serial=7416,
            **{"Nomor KK": kk(7401), "Tanggal lahir": "01-01-2999", "Hubungan dalam keluarga": "4"},
        ),  # 17
        person(**{"NIK": "3510013213800001", "Nomor KK": kk(7401), "Hubungan dalam keluarga": "4"}),  # 18
    ]
    with pytest.raises(ImportRejected) as caught:
        population_import(
            actor=operator(world), village=village(), content=kampung_csv(rows), file_name="f.csv"
        )
    found = {(p.row, p.column) for p in caught.value.problems}
    by_row = {p.row: p for p in caught.value.problems}
    assert found == {
        (3, "Nama"),
        (4, "NIK"),
        (5, "Jenis kelamin"),
        (6, "Agama"),
        (7, "Tanggal lahir"),
        (8, "RT"),
        (9, "NIK"),
        (10, "NIK"),
        (11, "Nomor KK"),
        (12, "Hubungan dalam keluarga"),
        (13, "Hubungan dalam keluarga"),
        (14, "Nomor KK"),
        (15, "Pekerjaan"),
        (16, "Tanggal lahir"),
        (17, "Tanggal lahir"),
        (18, "NIK"),
    }
    assert by_row[3].message == "Wajib diisi."
    assert "16 angka" in by_row[4].message
    assert "'X' tidak ada dalam daftar Jenis kelamin" in by_row[5].message
    assert "'Kejawen' tidak ada dalam daftar Agama" in by_row[6].message
    assert "tidak dapat dibaca" in by_row[7].message
    assert "angka 1–999" in by_row[8].message
    assert "sama dengan baris 2" in by_row[9].message
    assert "masih hidup di desa/kelurahan lain" in by_row[10].message
    assert "desa/kelurahan lain" in by_row[11].message
    assert "sudah punya kepala keluarga di baris 2" in by_row[12].message
    assert "tidak punya kepala keluarga" in by_row[13].message
    assert {p.message for p in caught.value.problems if p.row == 14} == {
        "Digit 7–8 nomor KK (tanggal terbit) tidak sah: 32.",
        "Digit 9–10 nomor KK (bulan terbit) tidak sah: 13 (01–12).",
    }
    assert "Kode 99 tidak ada dalam daftar Pekerjaan" in by_row[15].message
    assert by_row[16].message == "Wajib diisi."
    assert "masa depan" in by_row[17].message
    assert {p.message for p in caught.value.problems if p.row == 18} >= {
        "Digit 7–8 NIK (tanggal lahir) tidak sah: 32 (01–31, perempuan 41–71).",
        "Digit 9–10 NIK (bulan lahir) tidak sah: 13 (01–12).",
    }
    assert len(caught.value.problems) == 18  # two each on rows 14 (KK day and month) and 18 (NIK)
    assert "18 masalah" in caught.value.message
    assert counts() == before


def test_header_problems_are_reported_before_rows(world):
    headers = [h for h in template_headers() if h not in ("NIK", "Tanggal lahir")]
    content = xlsx(headers, [["x"] * len(headers)])
    report = population_import_check(
        actor=operator(world), village=village(), content=content, file_name="t.xlsx"
    )
    assert {(p.row, p.column) for p in report.problems} == {(1, "NIK"), (1, "Tanggal lahir")}
    unknown = xlsx(["a", "b", "c"], [[1, 2, 3]])
    report = population_import_check(
        actor=operator(world), village=village(), content=unknown, file_name="u.xlsx"
    )
    assert len(report.problems) == 1 and "Judul kolom tidak dikenali" in report.problems[0].message


@pytest.mark.parametrize(
    ("content", "name", "fragment"),
    [
        (b"not a zip", "rusak.xlsx", "tidak dapat dibaca"),
        (b"\xff\xfe\x00N", "utf16.csv", "UTF-8"),
        (b"", "kosong.csv", "kosong"),
        (b"NIK\n", "pdf.pdf", "pakai Excel"),
    ],
)
def test_unreadable_files_are_refused_with_a_message(world, content, name, fragment):
    from kampung.core.errors import KampungError

    with pytest.raises(KampungError) as caught:
        population_import(actor=operator(world), village=village(), content=content, file_name=name)
    assert fragment in caught.value.message
    assert Resident.objects.count() == 0


def test_failure_while_writing_rolls_back_everything(world):
    before = counts()
    calls: list[str] = []
    real = writing.insert_batch

    def fail_on_residents(inserter: Any, rows: list[Any]) -> None:
        real(inserter, rows)
        calls.append(inserter.insert_sql.split()[2])
        if "population_resident" in inserter.insert_sql:
            raise RuntimeError("disk full")

    with mock.patch.object(writing, "insert_batch", fail_on_residents), pytest.raises(RuntimeError):
        population_import(
            actor=operator(world),
            village=village(),
            content=kampung_csv(family_rows(7501, 7501)),
            file_name="f.csv",
        )
    assert calls and "population_family" in calls[0]  # families were inserted before the failure
    assert counts() == before


KILL_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    import django
    django.setup()
    import datetime as dt
    from pathlib import Path
    from django.core.management import call_command
    from kampung.accounts.services import user_create
    from kampung.population import services
    from kampung.population.importing import writing
    from kampung.regions.models import Region
    from kampung.regions.services import regions_load

    csv_path, marker = Path(sys.argv[1]), Path(sys.argv[2])
    regions_load(prefix="35.10.01.2001")
    village = Region.objects.get(code="35.10.01.2001")
    user = user_create(actor=None, username="op", full_name="Op", role="operator", region=village,
                       valid_from=dt.date(2020, 1, 1), password="sandi-uji-Kampung-1").user
    services.family_create(actor=user, village=village, kk_number="3510010101150999")

    writing.BATCH = 2
    real = writing.insert_batch
    def insert_then_die(inserter, rows):
        real(inserter, rows)
        if "population_resident" in inserter.insert_sql:
            from kampung.population.models import Family, Resident
            # Inside the import's transaction: the rows are there, not yet committed.
            marker.write_text(f"{Family.objects.count()} {Resident.objects.count()}")
            os.kill(os.getpid(), signal.SIGKILL)
    writing.insert_batch = insert_then_die
    call_command("population", "import", str(csv_path), "--village", "35.10.01.2001", "--as", "op")
    """
)


def test_a_process_killed_midway_leaves_nothing(tmp_path):
    """A real process, a real SQLite file, killed (SIGKILL) in the middle of the import."""
    db = tmp_path / "kampung.sqlite3"
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{db}",
        KAMPUNG_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="kampung.config.settings",
    )
    subprocess.run([sys.executable, "-m", "kampung", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    rows = family_rows(7601, 7601) + family_rows(7602, 7611)
    (tmp_path / "warga.csv").write_bytes(kampung_csv(rows))
    marker = tmp_path / "marker"
    done = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(tmp_path / "warga.csv"), str(marker)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    families_seen, residents_seen = map(int, marker.read_text().split())
    assert families_seen == 3 and residents_seen == 2  # killed with rows written, uncommitted
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM population_family").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM population_resident").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM population_residentnametoken").fetchone()[0] == 0
        acts = [r[0] for r in conn.execute("SELECT act FROM audit_auditentry")]
    assert "population.import" not in acts and "population.family.create" in acts


# -- review flags ----------------------------------------------------------------------------


def test_rows_needing_review_are_imported_and_flagged(world):
    existing = make_resident(world, VILLAGE_A2, name="Joko Susilo", birth=dt.date(1966, 6, 6))
    birth = dt.date(1980, 5, 17)
    rows = [
        # NIK says 17-05-80, male; the row says another day: imported, flagged.
        person(serial=7701, **{"Nomor KK": kk(7701), "Tanggal lahir": "18-05-1980"}),
        # NIK of a man, written as a woman.
        person(
            serial=7702,
            **{"Nomor KK": kk(7701), "Jenis kelamin": "P", "Hubungan dalam keluarga": "ISTRI", "Nama": "Sri"},
        ),
        # A district code that is not in today's list (35.10.99).
        person(
            **{
                "NIK": f"351099{birth:%d%m%y}0001",
                "Nomor KK": kk(7701),
                "Hubungan dalam keluarga": "4",
                "Nama": "Anak Satu",
            }
        ),
        # Same name and birth date as a registered resident (another NIK).
        person(
            birth=existing.birth_date,
            serial=7704,
            **{"Nomor KK": kk(7701), "Hubungan dalam keluarga": "7", "Nama": "JOKO  susilo"},
        ),
    ]
    # A KK issued by a district that is not in today's list: the family is flagged.
    rows.append(person(serial=7705, **{"Nomor KK": "3510990101150001", "Nama": "Kepala Lain"}))
    report = population_import(
        actor=operator(world), village=village(), content=kampung_csv(rows), file_name="f.csv"
    )
    assert report.residents == 5 and report.residents_flagged == 4 and report.families_flagged == 1
    by_name = {r.name: r for r in Resident.objects.filter(village_id=VILLAGE_A1)}
    assert "Tanggal lahir dalam NIK" in by_name["Slamet Widodo"].review_notes
    assert "Jenis kelamin dalam NIK" in by_name["Sri"].review_notes
    assert "kode kecamatan" in by_name["Anak Satu"].review_notes
    assert f"penduduk #{existing.pk}" in by_name["JOKO susilo"].review_notes
    assert all(by_name[n].needs_review for n in ("Slamet Widodo", "Sri", "Anak Satu", "JOKO susilo"))
    assert not by_name["Kepala Lain"].needs_review
    assert Family.objects.get(kk_number="3510990101150001").needs_review


def test_possible_duplicates_within_the_file_are_flagged(world):
    rows = [
        person(serial=7801, **{"Nomor KK": kk(7801)}),
        person(serial=7802, **{"Nomor KK": kk(7802)}),  # same name and birth date, another NIK
    ]
    population_import(actor=operator(world), village=village(), content=kampung_csv(rows), file_name="f.csv")
    notes = list(Resident.objects.order_by("nik").values_list("review_notes", flat=True))
    assert "sama dengan baris 3" in notes[0] and "sama dengan baris 2" in notes[1]


def test_members_join_a_family_already_registered_in_the_village(world):
    family = make_family(world, VILLAGE_A1, kk_number=kk(7901), dusun="Kopen", rw="004", rt="002")
    head = make_resident(world, VILLAGE_A1, name="Kepala Lama", birth=dt.date(1960, 1, 1))
    Family.objects.filter(pk=family.pk).update(head=head)
    rows = [
        person(
            serial=7902,
            **{"Nomor KK": kk(7901), "Hubungan dalam keluarga": "ANAK", "RW": "", "RT": "", "Dusun": ""},
        )
    ]
    report = population_import(
        actor=operator(world), village=village(), content=kampung_csv(rows), file_name="f.csv"
    )
    assert report.families_new == 0 and report.families_existing == 1
    child = Resident.objects.get(nik=rows[0]["NIK"])
    assert child.family_id == family.pk and (child.dusun, child.rw, child.rt) == ("Kopen", "004", "002")
    again = [person(serial=7903, **{"Nomor KK": kk(7901)})]  # a second head
    with pytest.raises(ImportRejected) as caught:
        population_import(
            actor=operator(world), village=village(), content=kampung_csv(again), file_name="f.csv"
        )
    assert "kepala keluarga kedua" in caught.value.problems[0].message


def test_a_headless_registered_family_gets_its_head_from_the_file(world):
    family = make_family(world, VILLAGE_A1, kk_number=kk(7911))
    rows = [person(serial=7912, **{"Nomor KK": kk(7911)})]
    population_import(actor=operator(world), village=village(), content=kampung_csv(rows), file_name="f.csv")
    family.refresh_from_db()
    assert family.head is not None and family.head.nik == rows[0]["NIK"]


# -- permission --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (Role.OPERATOR, VILLAGE_A2),
        (Role.HEAD, VILLAGE_B1),
        (Role.FIELD_OFFICER, VILLAGE_A1),
        (Role.TREASURER, VILLAGE_A1),
        (Role.BPD, VILLAGE_A1),
        (Role.RESIDENT, VILLAGE_A1),
    ],
)
def test_only_the_villages_writers_may_import(world, role, code):
    content = kampung_csv(family_rows(8201, 8201))
    with pytest.raises(NotPermitted):
        population_import(actor=world.user(role, code), village=village(), content=content, file_name="f.csv")
    with pytest.raises(NotPermitted):
        population_import_check(
            actor=world.user(role, code), village=village(), content=content, file_name="f.csv"
        )
    assert Resident.objects.count() == 0


@pytest.mark.parametrize("role", [Role.SECRETARY, Role.HEAD])
def test_secretary_and_head_may_import(world, role):
    report = population_import(
        actor=world.user(role, VILLAGE_A1),
        village=village(),
        content=kampung_csv(family_rows(8301, 8301)),
        file_name="f.csv",
    )
    assert report.residents == 3
    assert AuditEntry.objects.get(act="population.import").role == role


def test_district_and_regency_roles_may_not_import(world):
    from kampung.conftest import DISTRICT_A, REGENCY

    content = kampung_csv(family_rows(8401, 8401))
    for user in (
        world.user(Role.CAMAT, DISTRICT_A),
        world.user(Role.DPMD, REGENCY),
        world.user(Role.ADMIN, REGENCY),
    ):
        with pytest.raises(NotPermitted):
            population_import(actor=user, village=village(), content=content, file_name="f.csv")


# -- management command ----------------------------------------------------------------------


def test_command_dry_run_then_import(world, tmp_path):
    path = tmp_path / "warga.csv"
    path.write_bytes(kampung_csv(family_rows(8501, 8501)))
    out = io.StringIO()
    user = operator(world)
    call_command(
        "population",
        "import",
        str(path),
        "--village",
        VILLAGE_A1,
        "--as",
        user.username,
        "--dry-run",
        stdout=out,
    )
    assert "Lolos pemeriksaan" in out.getvalue() and "3 penduduk" in out.getvalue()
    assert Resident.objects.count() == 0
    out = io.StringIO()
    call_command(
        "population", "import", str(path), "--village", VILLAGE_A1, "--as", user.username, stdout=out
    )
    assert "Impor selesai" in out.getvalue() and Resident.objects.count() == 3


def test_command_prints_every_problem(world, tmp_path):
    rows = family_rows(8601, 8601)
    rows[1]["Agama"] = "99"
    rows[2]["Tanggal lahir"] = "kemarin"
    path = tmp_path / "warga.csv"
    path.write_bytes(kampung_csv(rows))
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 masalah"):
        call_command(
            "population",
            "import",
            str(path),
            "--village",
            VILLAGE_A1,
            "--as",
            operator(world).username,
            stderr=err,
        )
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("baris 3\tAgama\tKode 99") and lines[1].startswith("baris 4\tTanggal lahir\t")
    with pytest.raises(CommandError, match="tidak berwenang"):
        call_command(
            "population",
            "import",
            str(path),
            "--village",
            VILLAGE_A1,
            "--as",
            operator(world, VILLAGE_B1).username,
        )


# -- the page ----------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_page_check_then_import(client, world, media):
    client.force_login(operator(world))
    page = client.get(reverse("population:import"))
    assert page.status_code == 200 and "Periksa" in page.content.decode()
    assert reverse("population:import_template", args=["xlsx"]) == "/penduduk/impor/templat.xlsx"
    content = kampung_csv(family_rows(8701, 8701))
    checked = client.post(
        reverse("population:import"), {"desa": VILLAGE_A1, "format": "", "file": _upload(content, "w.csv")}
    )
    body = checked.content.decode()
    assert checked.status_code == 200 and "Berkas lolos pemeriksaan" in body and "Impor 3 penduduk" in body
    kept = list((media / "private" / "imports").iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == content
    assert Resident.objects.count() == 0
    token = client.session["population_import_pending"]["token"]
    done = client.post(reverse("population:import_run"), {"token": token})
    assert done.status_code == 302 and done["Location"] == reverse("population:import")
    assert Resident.objects.filter(village_id=VILLAGE_A1).count() == 3
    assert list((media / "private" / "imports").iterdir()) == []
    assert "population_import_pending" not in client.session
    follow = client.get(reverse("population:import"))
    assert "Impor selesai: 3 penduduk" in follow.content.decode()
    again = client.post(reverse("population:import_run"), {"token": token})
    assert again.status_code == 302 and Resident.objects.count() == 3


def test_page_shows_every_problem_as_a_table_and_keeps_nothing(client, world, media):
    client.force_login(operator(world))
    rows = family_rows(8801, 8801)
    rows[0]["NIK"] = "123"
    rows[2]["Jenis kelamin"] = "Z"
    response = client.post(
        reverse("population:import"), {"desa": VILLAGE_A1, "file": _upload(kampung_csv(rows), "w.csv")}
    )
    body = response.content.decode()
    assert response.status_code == 400 and "Berkas ditolak: 2 masalah" in body
    assert "<td>2</td><td>NIK</td>" in body and "<td>4</td><td>Jenis kelamin</td>" in body
    assert not (media / "private" / "imports").exists() or not list((media / "private" / "imports").iterdir())
    assert "population_import_pending" not in client.session
    assert Resident.objects.count() == 0


def test_page_refuses_bad_uploads_with_clear_errors(client, world, media, monkeypatch):
    client.force_login(operator(world))
    response = client.post(reverse("population:import"), {"desa": VILLAGE_A1, "file": _upload(b"x", "w.pdf")})
    assert response.status_code == 400 and "pakai Excel (.xlsx) atau CSV (.csv)" in response.content.decode()
    response = client.post(
        reverse("population:import"), {"desa": VILLAGE_A1, "file": _upload(b"garbage", "w.xlsx")}
    )
    assert response.status_code == 400 and "Berkas Excel tidak dapat dibaca" in response.content.decode()
    monkeypatch.setattr("kampung.population.forms_import.MAX_UPLOAD_BYTES", 10)
    response = client.post(
        reverse("population:import"), {"desa": VILLAGE_A1, "file": _upload(b"x" * 11, "w.csv")}
    )
    assert response.status_code == 400 and "Ukuran berkas paling besar" in response.content.decode()
    response = client.post(reverse("population:import"), {"desa": VILLAGE_A1})
    assert response.status_code == 400 and "Pilih berkas" in response.content.decode()
    response = client.post(reverse("population:import_run"), {"token": "../../etc/passwd"})
    assert response.status_code == 302


def test_page_is_not_found_for_non_writers_and_other_villages(client, world, media):
    for role, code in (
        (Role.FIELD_OFFICER, VILLAGE_A1),
        (Role.CAMAT, "35.10.01"),
        (Role.RESIDENT, VILLAGE_A1),
    ):
        client.force_login(world.user(role, code))
        assert client.get(reverse("population:import")).status_code == 404
        assert client.get(reverse("population:import_template", args=["xlsx"])).status_code == 404
    client.force_login(operator(world))
    content = kampung_csv(family_rows(8901, 8901))
    response = client.post(
        reverse("population:import"), {"desa": VILLAGE_B1, "file": _upload(content, "w.csv")}
    )
    assert response.status_code == 400 and Resident.objects.count() == 0


def test_page_lets_a_writer_of_several_villages_choose(client, world, media):
    user = operator(world)
    assignment_add(
        actor=None, user=user, role=Role.OPERATOR, region=village(VILLAGE_A2), valid_from=dt.date(2020, 1, 1)
    )
    client.force_login(user)
    body = client.get(reverse("population:import")).content.decode()
    assert f'value="{VILLAGE_A1}"' in body and f'value="{VILLAGE_A2}"' in body
    content = kampung_csv(family_rows(9001, 9001))
    client.post(reverse("population:import"), {"desa": VILLAGE_A2, "file": _upload(content, "w.csv")})
    client.post(
        reverse("population:import_run"), {"token": client.session["population_import_pending"]["token"]}
    )
    assert Resident.objects.filter(village_id=VILLAGE_A2).count() == 3


# -- templates ---------------------------------------------------------------------------------


def test_xlsx_template_round_trip(client, world, media):
    client.force_login(operator(world))
    response = client.get(reverse("population:import_template", args=["xlsx"]))
    assert response.status_code == 200 and "templat-impor-penduduk.xlsx" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:2] == ["Data Penduduk", "Kode Data"]
    codes = list(workbook["Kode Data"].iter_rows(min_row=2, values_only=True))
    assert ("Agama", "Agama", 1, "ISLAM") in codes and (
        "Hubungan dalam keluarga",
        "Hubungan dalam keluarga",
        1,
        "KEPALA KELUARGA",
    ) in codes
    sheet = workbook["Data Penduduk"]
    headers = [c.value for c in sheet[1]]
    for row in family_rows(9101, 9101):
        sheet.append([row[h] for h in headers])
    filled = io.BytesIO()
    workbook.save(filled)
    client.post(
        reverse("population:import"), {"desa": VILLAGE_A1, "file": _upload(filled.getvalue(), "isi.xlsx")}
    )
    done = client.post(
        reverse("population:import_run"), {"token": client.session["population_import_pending"]["token"]}
    )
    assert done.status_code == 302 and Family.objects.get(kk_number=kk(9101)).members.count() == 3


def test_csv_template_round_trip(client, world, media):
    client.force_login(operator(world))
    response = client.get(reverse("population:import_template", args=["csv"]))
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    header = response.content.decode("utf-8-sig").strip()
    rows = family_rows(9201, 9201)
    lines = [header] + [",".join(str(r[h]) for h in header.split(",")) for r in rows]
    report = population_import(
        actor=operator(world), village=village(), content="\n".join(lines).encode(), file_name="isi.csv"
    )
    assert report.residents == 3


def test_page_import_rejected_when_the_register_changed_since_the_check(client, world, media):
    client.force_login(operator(world))
    rows = family_rows(9301, 9301)
    client.post(
        reverse("population:import"), {"desa": VILLAGE_A1, "file": _upload(kampung_csv(rows), "w.csv")}
    )
    token = client.session["population_import_pending"]["token"]
    # Meanwhile a clerk registers the wife by hand (same NIK) in another village.
    make_resident(
        world, VILLAGE_A2, name="Siti Aminah", birth=dt.date(1984, 2, 10), sex=Sex.FEMALE, nik=rows[1]["NIK"]
    )
    response = client.post(reverse("population:import_run"), {"token": token})
    body = response.content.decode()
    assert (
        response.status_code == 400
        and "Berkas ditolak: 1 masalah" in body
        and "<td>3</td><td>NIK</td>" in body
    )
    assert Resident.objects.filter(village_id=VILLAGE_A1).count() == 0
    assert list((media / "private" / "imports").iterdir()) == []


def test_files_never_imported_are_swept_after_a_day(client, world, media):
    from kampung.population import views_import

    folder = media / "private" / "imports"
    folder.mkdir(parents=True)
    old, fresh = folder / "1-old.csv", folder / "1-fresh.csv"
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    day_ago = os.stat(old).st_mtime - views_import.STALE_SECONDS - 60
    os.utime(old, (day_ago, day_ago))
    client.force_login(operator(world))
    client.post(reverse("population:import"), {"desa": VILLAGE_A1, "file": _upload(b"NIK\n", "w.csv")})
    assert not old.exists() and fresh.exists()
