"""Importing users from Excel: the template, checking every row, all or nothing, the passwords."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kampung.accounts import services
from kampung.accounts.excel import EXAMPLE_USERNAME, MAX_UPLOAD_BYTES
from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1

User = get_user_model()
HEADERS = [
    "Nama pengguna*",
    "Nama lengkap*",
    "Surel",
    "Telepon",
    "Jabatan",
    "NIP/NIPD",
    "Peran*",
    "Kode wilayah*",
    "Berlaku mulai",
    "Jenis penugasan",
    "Dasar SK",
]
GOOD_ROWS = [
    [
        "op.sarongan",
        "Siti Aminah",
        "siti@example.org",
        "0812",
        "Operator",
        "",
        "operator",
        VILLAGE_A1,
        dt.date(2025, 1, 2),
        "",
        "SK 1",
    ],
    [
        "Sekdes.Pesanggaran",
        "Budi",
        "",
        "",
        "Sekretaris Desa",
        "198001012005011001",
        "Sekretaris desa",
        VILLAGE_A2,
        "02/01/2025",
        "plt",
        "",
    ],
    ["camat.pesanggaran", "Camat Baru", "", "", "Camat", "", "camat", DISTRICT_A, None, "Pj.", ""],
]


def _xlsx(rows, headers=HEADERS, title="Pengguna") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    if headers is not None:
        ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _upload(client, content: bytes, name: str = "pengguna.xlsx"):
    return client.post(reverse("accounts:user_import"), {"file": SimpleUploadedFile(name, content)})


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.user(Role.ADMIN, REGENCY))
    return client


def test_template_has_headers_an_example_and_the_role_codes(admin_client):
    response = admin_client.get(reverse("accounts:user_import_template"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[:2] == ["Pengguna", "Peran"]
    rows = list(wb["Pengguna"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert rows[1][0] == EXAMPLE_USERNAME
    assert rows[1][7].startswith(REGENCY + ".")
    roles = {r[0]: r[1] for r in wb["Peran"].iter_rows(min_row=2, values_only=True) if r and r[0]}
    assert roles["operator"] == "Operator desa"
    assert roles["camat"] == "Camat"
    assert VILLAGE_B1 in {r[0] for r in wb["Wilayah"].iter_rows(values_only=True)}


def test_the_filled_template_imports_and_its_example_row_is_skipped(admin_client):
    wb = load_workbook(io.BytesIO(admin_client.get(reverse("accounts:user_import_template")).content))
    wb["Pengguna"].append(GOOD_ROWS[0])
    buffer = io.BytesIO()
    wb.save(buffer)
    response = _upload(admin_client, buffer.getvalue())
    assert response.status_code == 200
    assert [c.user.username for c in response.context["created"]] == ["op.sarongan"]
    assert response.context["skipped_example"]
    assert not User.objects.filter(username=EXAMPLE_USERNAME).exists()


def test_a_good_file_creates_every_user_with_a_one_time_password(admin_client):
    response = _upload(admin_client, _xlsx(GOOD_ROWS))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    created = response.context["created"]
    assert [c.user.username for c in created] == ["op.sarongan", "sekdes.pesanggaran", "camat.pesanggaran"]
    html = response.content.decode()
    for item in created:
        user = User.objects.get(username=item.user.username)
        assert user.must_change_password
        assert user.check_password(item.password)
        assert item.password in html
    sekdes = User.objects.get(username="sekdes.pesanggaran").assignments.get()
    assert (sekdes.role, sekdes.region_id, sekdes.valid_from, sekdes.appointment) == (
        Role.SECRETARY,
        VILLAGE_A2,
        dt.date(2025, 1, 2),
        "plt",
    )
    assert User.objects.get(username="sekdes.pesanggaran").staff_number == "198001012005011001"
    camat = User.objects.get(username="camat.pesanggaran").assignments.get()
    assert camat.appointment == "pj"
    assert AuditEntry.objects.filter(act="accounts.user.import", after__count=3).exists()

    # The password list comes in the same response, as an .xlsx in a data: link.
    match = re.search(r'href="data:[^;]+;base64,([^"]+)" download="(kata-sandi-[^"]+\.xlsx)"', html)
    assert match
    sheet = load_workbook(io.BytesIO(base64.b64decode(match.group(1)))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    passwords = {r[1]: r[5] for r in rows}
    assert set(passwords) == {"op.sarongan", "sekdes.pesanggaran", "camat.pesanggaran"}
    for username, password in passwords.items():
        assert User.objects.get(username=username).check_password(password)


def test_bad_rows_are_all_listed_and_nothing_is_imported(admin_client, world):
    before = User.objects.count()
    rows = [
        GOOD_ROWS[0],
        ["baru.1", "Baru Satu", "", "", "", "", "raja", VILLAGE_A1, None, "", ""],  # unknown role
        ["baru.2", "Baru Dua", "", "", "", "", "operator", "35.09.01.2001", None, "", ""],  # not our regency
        ["baru.3", "Baru Tiga", "", "", "", "", "camat", VILLAGE_A1, None, "", ""],  # wrong level
        ["OP.Sarongan", "Kembar", "", "", "", "", "operator", VILLAGE_A1, None, "", ""],  # duplicate in file
        [
            "operator-35-10-01-2001",
            "Sudah Ada",
            "",
            "",
            "",
            "",
            "operator",
            VILLAGE_A1,
            None,
            "",
            "",
        ],  # in the DB
        ["baru.4", "Baru Empat", "", "", "", "", "operator", VILLAGE_A1, "31/02/2025", "", ""],  # bad date
        ["baru.5", "", "bukan surel", "", "", "", "operator", VILLAGE_A1, None, "kontrak", ""],  # several
        ["baru 6", "Spasi", "", "", "", "", "operator", VILLAGE_A1, None, "", ""],  # bad user name
        [None, None, None, None, None, None, None, None, None, None, None],  # empty: skipped
        [
            "baru.7",
            "Baru Tujuh",
            "",
            "",
            "",
            "",
            "operator",
            VILLAGE_A1,
            dt.date(1900, 1, 1),
            "",
            "",
        ],  # too old
    ]
    response = _upload(admin_client, _xlsx(rows))
    assert response.status_code == 200
    assert User.objects.count() == before
    errors = {(e.row, e.field): e.message for e in response.context["row_errors"]}
    assert "tidak dikenal" in errors[(3, "role")]
    assert "tidak ditemukan di kabupaten Anda" in errors[(4, "region_code")]
    assert "tingkat Kecamatan" in errors[(5, "region_code")]
    assert "sudah dipakai di baris 2" in errors[(6, "username")]
    assert "sudah terdaftar" in errors[(7, "username")]
    assert "tidak dikenali" in errors[(8, "valid_from")]
    assert "wajib diisi" in errors[(9, "full_name")]
    assert "tidak sah" in errors[(9, "email")]
    assert "Definitif, Plt. atau Pj." in errors[(9, "appointment")]
    assert "huruf, angka" in errors[(10, "username")]
    assert "1950-2100" in errors[(12, "valid_from")]
    assert 2 not in {row for row, _ in errors}
    html = response.content.decode()
    assert "Tidak ada pengguna yang dibuat" in html
    assert "Kode wilayah" in html  # the column is named in the table


def test_a_failure_while_creating_rolls_back_every_user(world, monkeypatch):
    admin = world.user(Role.ADMIN, REGENCY)
    calls = {"n": 0}
    real = services.assignment_add

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise services.KampungError("Gangguan buatan.")
        return real(**kwargs)

    monkeypatch.setattr(services, "assignment_add", flaky)
    rows = [
        services.UserImportRow(
            number=i + 2, username=f"gulung.{i}", full_name="X", role="operator", region_code=VILLAGE_A1
        )
        for i in range(4)
    ]
    before = User.objects.count()
    with pytest.raises(services.ImportRejected) as caught:
        services.users_import(actor=admin, rows=rows)
    assert caught.value.errors[0].row == 4
    assert User.objects.count() == before
    assert not AuditEntry.objects.filter(act="accounts.user.import").exists()


def test_import_service_refuses_non_admins(world):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    with pytest.raises(services.NotPermitted):
        services.users_import(
            actor=operator, rows=[services.UserImportRow(number=2, username="x", full_name="X")]
        )


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"nama_pengguna,nama_lengkap\nbudi,Budi\n", "pengguna.xlsx", "bukan file Excel .xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "pengguna.xls", "bukan file Excel .xlsx"),
        (b"", "kosong.xlsx", "kosong"),
    ],
)
def test_files_that_are_not_xlsx_are_refused(admin_client, content, name, message):
    response = _upload(admin_client, content, name)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])


def test_a_zip_that_is_not_a_workbook_is_refused(admin_client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "bukan excel")
    response = _upload(admin_client, buffer.getvalue())
    assert "bukan file Excel .xlsx" in " ".join(response.context["form"].errors["file"])
    # A workbook's skeleton with broken insides is refused the same way, not a 500.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<bukan xml")
        archive.writestr("xl/workbook.xml", "<bukan xml")
    response = _upload(admin_client, buffer.getvalue())
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_too_big_a_file_is_refused(admin_client):
    response = _upload(admin_client, b"PK" + b"\0" * (MAX_UPLOAD_BYTES + 10))
    assert response.status_code == 200
    assert "paling besar 2 MB" in " ".join(response.context["form"].errors["file"])


def test_too_many_rows_are_refused(admin_client):
    rows = [
        [f"massal.{i}", "Massal", "", "", "", "", "operator", VILLAGE_A1]
        for i in range(services.MAX_IMPORT_ROWS + 1)
    ]
    response = _upload(admin_client, _xlsx(rows, headers=HEADERS[:8]))
    assert response.status_code == 200
    assert "lebih dari 2000 baris" in " ".join(response.context["form"].errors["file"])
    assert not User.objects.filter(username__startswith="massal.").exists()


@pytest.mark.parametrize(
    ("headers", "rows", "message"),
    [
        (
            ["Nama pengguna", "Nama lengkap", "Peran"],
            [["a", "A", "operator"]],
            "Kolom wajib tidak ada: Kode wilayah",
        ),
        (None, [], "Baris pertama harus berisi judul kolom"),
        (HEADERS, [], "Tidak ada baris data"),
        (
            ["Nama pengguna", "Nama pengguna", "Nama lengkap", "Peran", "Kode wilayah"],
            [["a"]],
            "muncul dua kali",
        ),
    ],
)
def test_sheet_problems_get_a_message(admin_client, headers, rows, message):
    response = _upload(admin_client, _xlsx(rows, headers=headers))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])


def test_headers_may_be_field_names_and_numbers_are_read_as_text(admin_client):
    headers = ["username", "full_name", "role", "region_code", "staff_number", "phone"]
    rows = [[12345, "Angka", "OPERATOR", VILLAGE_B1, 1234567890, 81234]]
    response = _upload(admin_client, _xlsx(rows, headers=headers))
    assert response.status_code == 200, response.context.get("row_errors")
    user = User.objects.get(username="12345")
    assert (user.staff_number, user.phone) == ("1234567890", "81234")


def test_non_admins_get_not_found(client, world):
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    assert client.get(reverse("accounts:user_import")).status_code == 404
    assert _upload(client, _xlsx(GOOD_ROWS)).status_code == 404
    assert not User.objects.filter(username="op.sarongan").exists()


def test_one_time_password_hash_is_a_standard_pbkdf2_hash(settings):
    """Fewer rounds for random one-time passwords, but verifiable by the standard hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    encoded = services._one_time_password_hash("Abc123def456")
    algorithm, iterations, _salt, _hash = encoded.split("$")
    assert (algorithm, iterations) == ("pbkdf2_sha256", "5000")
    assert check_password("Abc123def456", encoded)
    assert not check_password("salah", encoded)


def test_a_name_taken_between_check_and_write_rejects_everything(world, monkeypatch):
    admin = world.user(Role.ADMIN, REGENCY)
    real = services._one_time_password_hash

    def meanwhile(secret):
        if not User.objects.filter(username="balap.1").exists():
            User.objects.create_user("balap.1", password="x")  # someone else was quicker
        return real(secret)

    monkeypatch.setattr(services, "_one_time_password_hash", meanwhile)
    rows = [
        services.UserImportRow(
            number=i + 2, username=f"balap.{i}", full_name="X", role="operator", region_code=VILLAGE_A1
        )
        for i in range(3)
    ]
    with pytest.raises(services.ImportRejected) as caught:
        services.users_import(actor=admin, rows=rows)
    assert (caught.value.errors[0].row, caught.value.errors[0].field) == (3, "username")
    assert list(User.objects.filter(username__startswith="balap.").values_list("username", flat=True)) == [
        "balap.1"
    ]
