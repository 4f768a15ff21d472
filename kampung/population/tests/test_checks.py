import datetime as dt

import pytest

from kampung.population.checks import kk_check, mask_nik, name_key, name_tokens, nik_check, resolve_century
from kampung.population.models import Sex

TODAY = dt.date(2026, 6, 1)
GOOD_MALE = "3510012101900001"  # Pesanggaran, 21-01-1990, man
GOOD_FEMALE = "3510016101900002"  # Pesanggaran, 21-01-1990, woman (21 + 40)


@pytest.mark.parametrize("nik", [GOOD_MALE, GOOD_FEMALE, "3510017112000001", "3510150101250001"])
def test_valid_nik_has_no_errors(nik):
    result = nik_check(nik, today=TODAY)
    assert result.errors == []
    assert result.flags == []


@pytest.mark.parametrize(
    ("nik", "fragment"),
    [
        ("351001210190001", "16 angka"),
        ("35100121019000011", "16 angka"),
        ("35100121019O0001", "16 angka"),
        ("3510 12101900001", "16 angka"),
        ("9910012101900001", "Digit 1–2 NIK (kode provinsi) tidak sah: 99"),
        ("0010012101900001", "Digit 1–2 NIK (kode provinsi) tidak sah: 00"),
        ("3510010001900001", "Digit 7–8 NIK (tanggal lahir) tidak sah: 00"),
        ("3510013201900001", "Digit 7–8 NIK (tanggal lahir) tidak sah: 32"),
        ("3510014001900001", "Digit 7–8 NIK (tanggal lahir) tidak sah: 40"),
        ("3510017201900001", "Digit 7–8 NIK (tanggal lahir) tidak sah: 72"),
        ("3510012100900001", "Digit 9–10 NIK (bulan lahir) tidak sah: 00"),
        ("3510012113900001", "Digit 9–10 NIK (bulan lahir) tidak sah: 13"),
        ("3510013102900001", "Digit 7–12 NIK (tanggal lahir) tidak sah: 310290"),
        ("3510016902010001", "Digit 7–12 NIK (tanggal lahir) tidak sah: 690201"),  # 29-02-2001
        ("3510012101900000", "Digit 13–16 NIK (nomor urut) tidak sah: 0000"),
    ],
)
def test_structural_errors_say_which_part(nik, fragment):
    result = nik_check(nik, today=TODAY)
    assert not result.ok
    assert any(fragment in e for e in result.errors), result.errors


def test_unknown_district_is_flagged_not_refused():
    # 35.10.99 is not a district of Banyuwangi; 35 is a real province.
    result = nik_check("3510992101900001", today=TODAY)
    assert result.ok
    assert any("351099" in f for f in result.flags)


def test_district_of_another_regency_is_known():
    # Aceh Selatan, Bakongan: the national list covers all of Indonesia.
    assert nik_check("1101012101900001", today=TODAY).flags == []


def test_leap_day_2000_is_valid():
    assert nik_check("3510012902000001", today=TODAY).ok


@pytest.mark.parametrize(
    ("birth_date", "sex", "flag"),
    [
        (dt.date(1990, 1, 21), Sex.MALE, None),
        (dt.date(1990, 1, 22), Sex.MALE, "Tanggal lahir dalam NIK"),
        (dt.date(1991, 1, 21), Sex.MALE, "Tanggal lahir dalam NIK"),
        (dt.date(1990, 1, 21), Sex.FEMALE, "Jenis kelamin dalam NIK"),
    ],
)
def test_disagreement_with_record_is_flagged(birth_date, sex, flag):
    result = nik_check(GOOD_MALE, birth_date=birth_date, sex=sex, today=TODAY)
    assert result.ok
    if flag is None:
        assert result.flags == []
    else:
        assert any(flag in f for f in result.flags)


def test_woman_day_is_read_minus_forty():
    result = nik_check(GOOD_FEMALE, birth_date=dt.date(1990, 1, 21), sex=Sex.FEMALE, today=TODAY)
    assert result.flags == []


@pytest.mark.parametrize(
    ("day", "month", "yy", "expected"),
    [
        (1, 1, 90, dt.date(1990, 1, 1)),
        (1, 1, 25, dt.date(2025, 1, 1)),
        (1, 5, 26, dt.date(2026, 5, 1)),
        (1, 7, 26, dt.date(1926, 7, 1)),  # 2026-07-01 would be in the future
        (29, 2, 0, dt.date(2000, 2, 29)),
        (30, 2, 90, None),
    ],
)
def test_century_is_never_in_the_future(day, month, yy, expected):
    assert resolve_century(day, month, yy, today=TODAY) == expected


@pytest.mark.parametrize("kk", ["3510010101150001", "3510153112200123", "1101010101100001"])
def test_valid_kk(kk):
    result = kk_check(kk, today=TODAY)
    assert result.errors == []
    assert result.flags == []


@pytest.mark.parametrize(
    ("kk", "fragment"),
    [
        ("351001010115001", "16 angka"),
        ("9910010101150001", "Digit 1–2 nomor KK (kode provinsi) tidak sah: 99"),
        ("3510010001150001", "Digit 7–8 nomor KK (tanggal terbit) tidak sah: 00"),
        ("3510014101150001", "Digit 7–8 nomor KK (tanggal terbit) tidak sah: 41"),
        ("3510010113150001", "Digit 9–10 nomor KK (bulan terbit) tidak sah: 13"),
        ("3510013102150001", "Digit 7–12 nomor KK (tanggal terbit) tidak sah: 310215"),
        ("3510010101150000", "Digit 13–16 nomor KK (nomor urut) tidak sah: 0000"),
    ],
)
def test_kk_structural_errors(kk, fragment):
    result = kk_check(kk, today=TODAY)
    assert any(fragment in e for e in result.errors), result.errors


def test_kk_unknown_district_flagged():
    result = kk_check("3510990101150001", today=TODAY)
    assert result.ok and result.flags


def test_mask():
    assert mask_nik("3510012101900001") == "3510********0001"
    assert mask_nik("123") == "***"


def test_name_normalisation():
    assert name_tokens("  Sîti  NUR'AINI-Ma’ruf ") == ["siti", "nuraini", "maruf"]
    assert name_key("Ahmad  Slamet") == "ahmad slamet"
