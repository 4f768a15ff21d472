"""The village registers (Buku Induk, Mutasi, Rekapitulasi) and the monthly report: figures,
scope, masking, PDF and Excel contents, consecutive months agreeing, and bad input."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.core import pdf as pdf_helper
from kampung.population import registers, services, statistics
from kampung.population.checks import mask_nik
from kampung.population.models import Sex
from kampung.population.tests.factories import make_family, make_resident, nik_for
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 15, 3, 0, tzinfo=dt.UTC), tick=False):
        yield


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        out = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
        )
        return out.stdout.decode()
    return ""


def sheet_rows(content: bytes):
    wb = load_workbook(io.BytesIO(content))
    return list(wb.active.iter_rows(values_only=True))


@pytest.fixture
def story(world):
    """Sarongan (A1) from September to November 2026.

    Present throughout (registered without an event): Budi (L), Siti (P) in family F1 in
    dusun Krajan, Karto (L) in F2 in dusun Sumberayu, Maria (P, WNA, no family, Krajan).
    - 10-09-2026 Bayu (L) born into F1;
    - 05-10-2026 Rina (P) moves in to a new family F3 (Sumberayu);
    - 20-10-2026 Karto dies (F2 has no one left);
    - 02-11-2026 Siti moves out.
    Pesanggaran (A2) has one resident.
    """
    op = world.user(Role.OPERATOR, VILLAGE_A1)
    a1 = Region.objects.get(code=VILLAGE_A1)
    f1 = make_family(world, VILLAGE_A1, dusun="Krajan", rt="001", rw="001")
    f2 = make_family(world, VILLAGE_A1, dusun="Sumberayu", rt="003", rw="002")
    f3 = make_family(world, VILLAGE_A1, dusun="Sumberayu", rt="004", rw="002")
    budi = make_resident(
        world,
        VILLAGE_A1,
        "Budi Santoso",
        dt.date(1980, 5, 10),
        Sex.MALE,
        family=f1,
        attributes={"family_relation": 1},
    )
    siti = make_resident(
        world,
        VILLAGE_A1,
        "Siti Aminah",
        dt.date(1982, 2, 1),
        Sex.FEMALE,
        family=f1,
        attributes={"family_relation": 3},
    )
    karto = make_resident(
        world,
        VILLAGE_A1,
        "Karto Wiryo",
        dt.date(1940, 4, 4),
        Sex.MALE,
        family=f2,
        attributes={"family_relation": 1},
    )
    maria = make_resident(
        world,
        VILLAGE_A1,
        "Maria Schmidt",
        dt.date(1991, 8, 8),
        Sex.FEMALE,
        attributes={"citizenship": 2, "dusun": "Krajan"},
    )
    bayu = services.birth_record(
        actor=op,
        family=f1,
        nik=nik_for(VILLAGE_A1, dt.date(2026, 9, 10), Sex.MALE),
        name="Bayu Putra",
        birth_date=dt.date(2026, 9, 10),
        sex=Sex.MALE,
        reporter_name="Budi Santoso",
    )
    rina = services.move_in_record(
        actor=op,
        village=a1,
        nik=nik_for(VILLAGE_B1, dt.date(1995, 3, 3), Sex.FEMALE),
        name="Rina Wati",
        birth_date=dt.date(1995, 3, 3),
        sex=Sex.FEMALE,
        move_date=dt.date(2026, 10, 5),
        origin="Desa Kampunganyar, Glagah",
        family=f3,
        attributes={"family_relation": 1},
    )
    services.death_record(actor=op, resident=karto, death_date=dt.date(2026, 10, 20), cause="Sakit tua")
    services.move_out_record(
        actor=op, resident=siti, move_date=dt.date(2026, 11, 2), destination="Kota Malang"
    )
    other = make_resident(world, VILLAGE_A2, "Warga Pesanggaran", dt.date(1990, 6, 6), Sex.MALE)
    return {
        "budi": budi,
        "siti": siti,
        "karto": karto,
        "maria": maria,
        "bayu": bayu,
        "rina": rina,
        "other": other,
        "f1": f1,
        "f2": f2,
        "f3": f3,
    }


# -- monthly figures ----------------------------------------------------------------------


def village_month(year, month, code=VILLAGE_A1):
    report = statistics.monthly_figures([code], year, month)
    assert len(report.rows) == 1
    return report.rows[0]


def test_monthly_figures_follow_the_story(story):
    aug, sep, octo, nov = (village_month(2026, m) for m in (8, 9, 10, 11))
    assert aug.start.total == aug.end.total == 4
    assert aug.families_end == 2  # F1 and F2 (Maria has no KK; F3 only from October)
    assert sep.start.total == 4 and sep.births.total == 1 and sep.births.male == 1 and sep.end.total == 5
    assert octo.moved_in.female == 1 and octo.deaths.male == 1
    assert octo.end.total == 5
    assert octo.families_start == 2 and octo.families_end == 2  # F3 arrives, F2 ends with Karto
    assert nov.moved_out.total == 1 and nov.moved_out.wni_female == 1
    assert nov.end.total == 4
    assert (nov.end.wna_female, nov.end.wni_female, nov.end.wni_male) == (1, 1, 2)
    assert nov.families_end == 2  # F1 (Budi, Bayu) and F3 (Rina)


def test_end_of_a_month_is_the_start_of_the_next(story):
    months = [(2026, 6), (2026, 7), (2026, 8), (2026, 9), (2026, 10), (2026, 11)]
    rows = [village_month(y, m) for y, m in months]
    for before, after in zip(rows, rows[1:], strict=False):
        assert before.end == after.start
        assert before.families_end == after.families_start
    for row in rows:
        assert row.start + row.births + row.moved_in - row.deaths - row.moved_out == row.end
    # the current month ends with today's living residents
    assert rows[-1].end.total == 4


def test_monthly_by_dusun_adds_up_to_the_village(story):
    report = statistics.monthly_figures([VILLAGE_A1], 2026, 10, by_dusun=True)
    by_key = {row.key: row for row in report.rows}
    assert set(by_key) == {"Krajan", "Sumberayu"}
    assert by_key["Sumberayu"].deaths.total == 1 and by_key["Sumberayu"].moved_in.total == 1
    assert by_key["Krajan"].end.total == 4  # Budi, Siti, Maria, Bayu
    assert report.total.end == village_month(2026, 10).end


def test_district_summary_has_a_row_per_village(story):
    codes = statistics.village_codes_under(Region.objects.get(code=DISTRICT_A))
    report = statistics.monthly_figures(codes, 2026, 11)
    assert [row.key for row in report.rows] == codes
    by_key = {row.key: row for row in report.rows}
    assert by_key[VILLAGE_A1].end.total == 4 and by_key[VILLAGE_A2].end.total == 1
    assert report.total.end.total == 5


def test_monthly_page_pdf_and_excel(client, world, story):
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    url = reverse("population:monthly_report")
    response = client.get(url, {"wilayah": VILLAGE_A1, "bulan": "2026-10"})
    assert response.status_code == 200
    assert response.context["report"].total.end.total == 5
    assert "Oktober 2026" in response.content.decode()
    pdf = client.get(reverse("population:monthly_pdf"), {"wilayah": VILLAGE_A1, "bulan": "2026-10"})
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    if text:
        assert "LAPORAN BULANAN PENDUDUK" in text.upper() and "Oktober 2026" in text
    rows = sheet_rows(
        client.get(reverse("population:monthly_xlsx"), {"wilayah": VILLAGE_A1, "bulan": "2026-10"}).content
    )
    header = rows[4]
    data = rows[5]
    assert data[0] == "Sarongan"
    assert data[header.index("Akhir bulan jumlah")] == 5
    assert data[header.index("Meninggal WNI L")] == 1
    assert data[header.index("KK akhir bulan")] == 2


def test_monthly_district_summary_for_camat_only(client, world, story):
    client.force_login(world.user(Role.CAMAT, DISTRICT_A))
    response = client.get(reverse("population:monthly_report"), {"bulan": "2026-11"})
    assert response.status_code == 200
    assert response.context["summary"] is True
    html = response.content.decode()
    assert "Sarongan" in html and "Pesanggaran" in html
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    assert client.get(reverse("population:monthly_report"), {"wilayah": DISTRICT_A}).status_code == 404
    assert client.get(reverse("population:monthly_pdf"), {"wilayah": VILLAGE_A2}).status_code == 404


@pytest.mark.parametrize("junk", ["2026-13", "abc", "2027-01", "0000-00", "2026-1", "9" * 30])
def test_monthly_junk_month_shows_an_error_not_a_500(client, world, story, junk):
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    response = client.get(reverse("population:monthly_report"), {"bulan": junk})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert (response.context["report"].year, response.context["report"].month) == (2026, 11)
    assert (
        client.get(reverse("population:register_rekap", args=[VILLAGE_A1]), {"bulan": junk}).status_code
        == 200
    )
    assert client.get(reverse("population:monthly_xlsx"), {"bulan": junk}).status_code == 200


# -- Buku Induk ---------------------------------------------------------------------------


def test_buku_induk_page_full_numbers_for_village_staff(client, world, story):
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    response = client.get(reverse("population:register_induk", args=[VILLAGE_A1]))
    assert response.status_code == 200
    html = response.content.decode()
    assert story["budi"].nik in html and story["f1"].kk_number in html
    assert "Karto Wiryo" not in html  # dead: not on the default list
    assert "Warga Pesanggaran" not in html
    rows = response.context["rows"]
    assert [r.number for r in rows] == list(range(1, 5))
    budi = next(r for r in rows if r.name == "Budi Santoso")
    assert budi.relation == "Kepala keluarga" and "Dusun Krajan" in budi.address and budi.sex == "L"
    html_all = client.get(
        reverse("population:register_induk", args=[VILLAGE_A1]), {"status": "semua"}
    ).content.decode()
    assert "Karto Wiryo" in html_all and "Mati" in html_all and "Pindah" in html_all


def test_buku_induk_masked_for_district(client, world, story):
    client.force_login(world.user(Role.CAMAT, DISTRICT_A))
    html = client.get(reverse("population:register_induk", args=[VILLAGE_A1])).content.decode()
    assert story["budi"].nik not in html and mask_nik(story["budi"].nik) in html
    assert story["f1"].kk_number not in html
    rows = sheet_rows(client.get(reverse("population:register_induk_xlsx", args=[VILLAGE_A1])).content)
    flat = " ".join(str(c) for row in rows for c in row if c is not None)
    assert story["budi"].nik not in flat and mask_nik(story["budi"].nik) in flat
    text = pdf_text(client.get(reverse("population:register_induk_pdf", args=[VILLAGE_A1])).content)
    if text:
        assert story["budi"].nik not in text and mask_nik(story["budi"].nik) in text


@pytest.mark.parametrize(
    ("role", "home", "asked"),
    [
        (Role.OPERATOR, VILLAGE_A2, VILLAGE_A1),
        (Role.CAMAT, "35.10.15", VILLAGE_A1),
        (Role.RESIDENT, VILLAGE_A1, VILLAGE_A1),
        (Role.BPD, VILLAGE_A1, VILLAGE_A1),
        (Role.ADMIN, REGENCY, DISTRICT_A),
        (Role.ADMIN, REGENCY, "bukan-kode"),
    ],
)
def test_registers_of_another_village_are_not_found(client, world, story, role, home, asked):
    client.force_login(world.user(role, home))
    for name in (
        "register_induk",
        "register_induk_pdf",
        "register_induk_xlsx",
        "register_mutasi",
        "register_mutasi_pdf",
        "register_mutasi_xlsx",
        "register_rekap",
        "register_rekap_pdf",
        "register_rekap_xlsx",
        "register_temporary_pdf",
        "register_temporary_xlsx",
    ):
        assert client.get(reverse(f"population:{name}", args=[asked])).status_code == 404, name


def test_buku_induk_pdf_is_a_real_pdf_with_the_register(client, world, story):
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    before = AuditEntry.objects.filter(act="view", region_code=VILLAGE_A1).count()
    response = client.get(reverse("population:register_induk_pdf", args=[VILLAGE_A1]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    if text:
        assert "BUKU INDUK PENDUDUK" in text
        assert "Budi Santoso" in text and story["budi"].nik in text
        assert "SARONGAN" in text.upper() and "PESANGGARAN" in text.upper()  # kop: village, district
        assert "Halaman 1 dari 1" in text
    assert AuditEntry.objects.filter(act="view", region_code=VILLAGE_A1).count() == before + 1


def test_buku_induk_pdf_in_parts(client, world, story, monkeypatch):
    monkeypatch.setattr(registers, "PDF_PART_ROWS", 3)
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    page = client.get(reverse("population:register_induk", args=[VILLAGE_A1]))
    assert [p.number for p in page.context["parts"]] == [1, 2]
    assert "dicetak dalam 2 bagian" in page.content.decode()
    part2 = client.get(reverse("population:register_induk_pdf", args=[VILLAGE_A1]), {"bagian": "2"})
    assert part2.status_code == 200
    text = pdf_text(part2.content)
    if text:
        assert "bagian 2 dari 2" in text
        fourth = page.context["rows"][3].name
        assert fourth in text and page.context["rows"][0].name not in text
    assert (
        client.get(reverse("population:register_induk_pdf", args=[VILLAGE_A1]), {"bagian": "9"}).status_code
        == 404
    )
    assert (
        client.get(reverse("population:register_induk_pdf", args=[VILLAGE_A1]), {"bagian": "x"}).status_code
        == 200
    )


def test_buku_induk_excel_has_all_rows_in_order(client, world, story):
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    rows = sheet_rows(client.get(reverse("population:register_induk_xlsx", args=[VILLAGE_A1])).content)
    assert rows[0][0].startswith("Buku Induk Penduduk")
    header = rows[3]
    assert header[:3] == ("No.", "Nama lengkap", "Jenis kelamin") and "NIK" in header and "Nomor KK" in header
    data = [r for r in rows[4:] if r[0] is not None]
    assert [r[0] for r in data] == [1, 2, 3, 4]
    names = {r[1] for r in data}
    assert names == {"Budi Santoso", "Bayu Putra", "Maria Schmidt", "Rina Wati"}
    maria = next(r for r in data if r[1] == "Maria Schmidt")
    assert maria[header.index("Kewarganegaraan")] == "WNA"
    assert maria[header.index("NIK")] == story["maria"].nik


def test_empty_village_register_has_empty_states(client, world):
    client.force_login(world.user(Role.OPERATOR, VILLAGE_B1))
    html = client.get(reverse("population:register_induk", args=[VILLAGE_B1])).content.decode()
    assert "Belum ada penduduk" in html
    pdf = client.get(reverse("population:register_induk_pdf", args=[VILLAGE_B1]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_register_page_junk_page_number(client, world, story):
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    for junk in ("abc", "-1", "99999", "1e9"):
        assert (
            client.get(reverse("population:register_induk", args=[VILLAGE_A1]), {"page": junk}).status_code
            == 200
        )


def test_register_index_lists_villages_in_scope(client, world, story):
    client.force_login(world.user(Role.CAMAT, DISTRICT_A))
    html = client.get(reverse("population:register_index")).content.decode()
    assert "Sarongan" in html and "Kampunganyar" not in html
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    response = client.get(reverse("population:register_index"))
    assert response.status_code == 302 and VILLAGE_A1 in response["Location"]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.BPD])
def test_register_index_not_found_for_those_who_do_not_read_the_register(client, world, role):
    client.force_login(world.user(role, VILLAGE_A1))
    assert client.get(reverse("population:register_index")).status_code == 404
    assert client.get(reverse("population:register_index"), {"q": "Sar"}).status_code == 404


# -- Buku Mutasi --------------------------------------------------------------------------


def test_buku_mutasi_lists_the_period(client, world, story):
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    url = reverse("population:register_mutasi", args=[VILLAGE_A1])
    response = client.get(url, {"dari": "2026-10-01", "sampai": "2026-10-31"})
    rows = response.context["rows"]
    assert [(r.kind, r.name) for r in rows] == [("Pindah datang", "Rina Wati"), ("Kematian", "Karto Wiryo")]
    assert "Datang dari: Desa Kampunganyar, Glagah" == rows[0].place
    assert "Sebab: Sakit tua" in rows[1].note
    assert story["rina"].nik in response.content.decode()
    xlsx = sheet_rows(
        client.get(
            reverse("population:register_mutasi_xlsx", args=[VILLAGE_A1]),
            {"dari": "2026-09-01", "sampai": "2026-11-15"},
        ).content
    )
    kinds = [r[2] for r in xlsx[5:] if r and r[0] is not None]
    assert kinds == ["Kelahiran", "Pindah datang", "Kematian", "Pindah keluar"]
    text = pdf_text(
        client.get(
            reverse("population:register_mutasi_pdf", args=[VILLAGE_A1]),
            {"dari": "2026-09-01", "sampai": "2026-11-15"},
        ).content
    )
    if text:
        assert "BUKU MUTASI PENDUDUK" in text and "Kota Malang" in text and "Bayu Putra" in text


def test_buku_mutasi_masked_for_regency(client, world, story):
    client.force_login(world.user(Role.DPMD, REGENCY))
    response = client.get(
        reverse("population:register_mutasi", args=[VILLAGE_A1]),
        {"dari": "2026-09-01", "sampai": "2026-11-15"},
    )
    html = response.content.decode()
    assert "Rina Wati" in html and story["rina"].nik not in html and mask_nik(story["rina"].nik) in html


@pytest.mark.parametrize(
    "params",
    [
        {"dari": "kemarin"},
        {"dari": "2026-12-01", "sampai": "2026-01-01"},
        {"sampai": "2026-02-30"},
        {"dari": "0001-01-01"},
        {"page": "zz"},
    ],
)
def test_buku_mutasi_junk_dates_no_500(client, world, story, params):
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    for name in ("register_mutasi", "register_mutasi_pdf", "register_mutasi_xlsx"):
        assert client.get(reverse(f"population:{name}", args=[VILLAGE_A1]), params).status_code == 200


# -- Buku Rekapitulasi --------------------------------------------------------------------


def test_buku_rekapitulasi_per_dusun(client, world, story):
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    response = client.get(reverse("population:register_rekap", args=[VILLAGE_A1]), {"bulan": "2026-10"})
    labels = [label for label, _row in response.context["table_rows"]]
    assert labels == ["Dusun Krajan", "Dusun Sumberayu"]
    rows = sheet_rows(
        client.get(reverse("population:register_rekap_xlsx", args=[VILLAGE_A1]), {"bulan": "2026-10"}).content
    )
    header = rows[4]
    by_label = {r[0]: r for r in rows[5:]}
    assert by_label["Dusun Sumberayu"][header.index("Meninggal WNI L")] == 1
    assert by_label["Dusun Krajan"][header.index("Akhir bulan WNA P")] == 1
    assert by_label["Jumlah"][header.index("Akhir bulan jumlah")] == 5
    text = pdf_text(
        client.get(reverse("population:register_rekap_pdf", args=[VILLAGE_A1]), {"bulan": "2026-10"}).content
    )
    if text:
        assert "BUKU REKAPITULASI JUMLAH PENDUDUK" in text and "Dusun Krajan" in text


# -- the PDF helper -----------------------------------------------------------------------


def test_pdf_helper_prints_templates_and_refuses_outside_urls():
    html = (
        '<html><body><p>Halo desa</p><img src="https://example.com/x.png">'
        '<img src="file:///etc/passwd"><link rel="stylesheet" href="/static/kampung/kampung.css"></body></html>'
    )
    result = pdf_helper.html_to_pdf(html)
    assert result.content.startswith(b"%PDF") and result.pages == 1
    text = pdf_text(result.content)
    if text:
        assert "Halo desa" in text
    assert (
        pdf_helper.pdf_filename("Buku Induk", "3510012001", "bagian 1")
        == "buku-induk-3510012001-bagian-1.pdf"
    )


def test_long_mutation_pdf_is_refused_with_advice(client, world, story, monkeypatch):
    monkeypatch.setattr(registers, "PDF_MAX_ROWS", 3)
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    url = reverse("population:register_mutasi_pdf", args=[VILLAGE_A1])
    response = client.get(url, {"dari": "2026-09-01", "sampai": "2026-11-15"}, follow=True)
    assert response.redirect_chain and response.redirect_chain[-1][0].startswith(
        reverse("population:register_mutasi", args=[VILLAGE_A1])
    )
    assert "Terlalu panjang untuk satu PDF (lebih dari 3 peristiwa)" in response.content.decode()
    short = client.get(url, {"dari": "2026-10-01", "sampai": "2026-10-31"})
    assert short["Content-Type"] == "application/pdf"


def test_register_pages_use_a_bounded_number_of_queries(client, world, story, django_assert_max_num_queries):
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    client.get(reverse("population:register_induk", args=[VILLAGE_A1]))  # warm the session
    with django_assert_max_num_queries(12):
        client.get(reverse("population:register_induk", args=[VILLAGE_A1]), {"status": "semua"})
    with django_assert_max_num_queries(12):
        client.get(reverse("population:register_mutasi", args=[VILLAGE_A1]), {"dari": "2026-09-01"})
    with django_assert_max_num_queries(14):
        client.get(reverse("population:register_rekap", args=[VILLAGE_A1]), {"bulan": "2026-10"})
