"""The pattern language, yearly reset, rollback without gaps, and the database constraints."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.core.errors import KampungError, NotPermitted
from kampung.documents.models import Document, NumberCounter, SeriesKind
from kampung.documents.numbering import (
    PatternError,
    number_allocate,
    number_format,
    pattern_parse,
    series_get,
)
from kampung.documents.services import series_configure
from kampung.documents.tests.conftest import issue
from kampung.regions.models import Region

JAKARTA = dt.timezone(dt.timedelta(hours=7))


def _fmt(
    pattern: str, seq: int = 7, on: dt.date = dt.date(2025, 4, 3), classification: str = "400.12.3.1"
) -> str:
    return number_format(
        pattern, sequence=seq, classification=classification, village_code="3510012001", on=on
    )


def test_default_pattern_formats_like_opensid() -> None:
    assert (
        _fmt("[klasifikasi]/[nomor:03]/[kode_desa]/[bulan_romawi]/[tahun]")
        == "400.12.3.1/007/3510012001/IV/2025"
    )


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("[nomor]/[tahun]", "7/2025"),
        ("[nomor:05]-[bulan]-[tahun]", "00007-04-2025"),
        ("188/[nomor:02]/KEP/429.523.03/[tahun]", "188/07/KEP/429.523.03/2025"),
        ("[ Nomor:3 ]/[TAHUN]", "007/2025"),
    ],
)
def test_other_patterns(pattern: str, expected: str) -> None:
    assert _fmt(pattern) == expected


def test_numbers_wider_than_the_padding_are_not_cut() -> None:
    assert _fmt("[nomor:03]/[tahun]", seq=1234) == "1234/2025"


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "wajib diisi"),
        ("[klasifikasi]/[kode_desa]/[tahun]", "harus memuat [nomor]"),
        ("[nomor]/[nomor]/[tahun]", "hanya boleh muncul satu kali"),
        ("[nomor]/[bulan]", "harus memuat [tahun]"),
        ("[nomor]/[kode_surat]/[tahun]", "Penanda [kode_surat] tidak dikenal"),
        ("[nomor:abc]/[tahun]", "harus angka 1 sampai 6"),
        ("[nomor:9]/[tahun]", "harus angka 1 sampai 6"),
        ("[tahun:2]/[nomor]", "hanya untuk [nomor]"),
        ("[nomor]/[tahun", "tidak berpasangan"),
        ("nomor]/[tahun]", "tidak berpasangan"),
    ],
)
def test_bad_patterns_are_refused_in_indonesian(pattern: str, message: str) -> None:
    with pytest.raises(PatternError) as exc:
        pattern_parse(pattern)
    assert message in str(exc.value)


def test_a_pattern_with_klasifikasi_needs_one() -> None:
    with pytest.raises(KampungError, match="klasifikasi wajib"):
        _fmt("[klasifikasi]/[nomor]/[tahun]", classification="")


def _allocate(village: Region, at: dt.datetime, classification: str = "400.12.2.1") -> str:
    with transaction.atomic():
        return number_allocate(
            village=village, kind=SeriesKind.SERVICE_LETTER, classification=classification, at=at
        ).number


@pytest.mark.django_db
def test_numbers_run_per_village_and_start_again_each_year() -> None:
    a1 = Region.objects.get(code=VILLAGE_A1)
    a2 = Region.objects.get(code=VILLAGE_A2)
    dec = dt.datetime(2025, 12, 31, 23, 0, tzinfo=JAKARTA)
    assert _allocate(a1, dec) == "400.12.2.1/001/3510012001/XII/2025"
    assert _allocate(a1, dec) == "400.12.2.1/002/3510012001/XII/2025"
    assert _allocate(a2, dec) == "400.12.2.1/001/3510012002/XII/2025"
    # 1 January 00:30 in Banyuwangi is still 31 December in UTC: the village's date counts.
    new_year = dt.datetime(2026, 1, 1, 0, 30, tzinfo=JAKARTA)
    assert _allocate(a1, new_year) == "400.12.2.1/001/3510012001/I/2026"
    assert _allocate(a1, dec) == "400.12.2.1/003/3510012001/XII/2025"
    assert sorted(NumberCounter.objects.filter(series__village=a1).values_list("year", "last")) == [
        (2025, 3),
        (2026, 1),
    ]


@pytest.mark.django_db(transaction=True)
def test_allocation_outside_a_transaction_is_refused() -> None:
    a1 = Region.objects.get(code=VILLAGE_A1)
    with pytest.raises(RuntimeError):
        number_allocate(
            village=a1, kind=SeriesKind.SERVICE_LETTER, classification="470", at=dt.datetime.now(JAKARTA)
        )


@pytest.mark.django_db
def test_a_rolled_back_signing_gives_its_number_back() -> None:
    class SigningFailed(Exception):
        pass

    first = issue(VILLAGE_A1)
    with pytest.raises(SigningFailed), transaction.atomic():
        issue(VILLAGE_A1)
        raise SigningFailed
    third = issue(VILLAGE_A1)
    assert (first.sequence, third.sequence) == (1, 2)
    assert Document.objects.count() == 2


@pytest.mark.django_db
def test_the_database_refuses_a_duplicate_sequence_or_number() -> None:
    doc = issue(VILLAGE_A1)
    clone = Document.objects.get(pk=doc.pk)
    clone.pk = None
    clone.verification_code = "ZZZZZZZZZZ"
    clone.number = "lain/1/2025"
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save(force_insert=True)  # same series, year, sequence
    clone.sequence = 99
    clone.number = doc.number
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save(force_insert=True)  # same number in the same village


@pytest.mark.django_db
def test_two_kinds_with_colliding_patterns_get_a_clear_message() -> None:
    a1 = Region.objects.get(code=VILLAGE_A1)
    decree = series_get(village=a1, kind=SeriesKind.DECREE)
    decree.pattern = "[klasifikasi]/[nomor:03]/[kode_desa]/[bulan_romawi]/[tahun]"
    decree.save()
    at = dt.datetime(2025, 5, 5, 10, tzinfo=JAKARTA)
    issue(VILLAGE_A1, at=at)
    with pytest.raises(KampungError, match="sudah dipakai dokumen lain"):
        issue(VILLAGE_A1, kind=SeriesKind.DECREE, at=at)
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_series_configure_sets_pattern_and_village_code(world) -> None:
    a1 = Region.objects.get(code=VILLAGE_A1)
    sekdes = world.user(Role.SECRETARY, VILLAGE_A1)
    series_configure(
        actor=sekdes,
        village=a1,
        kind=SeriesKind.DECREE,
        pattern="188/[nomor:02]/KEP/[kode_desa]/[tahun]",
        village_code="429.523.03",
    )
    doc = issue(
        VILLAGE_A1, kind=SeriesKind.DECREE, classification="", at=dt.datetime(2025, 5, 5, 10, tzinfo=JAKARTA)
    )
    assert doc.number == "188/01/KEP/429.523.03/2025"
    assert AuditEntry.objects.filter(act="document.series_configure", region_code=VILLAGE_A1).count() == 1
    with pytest.raises(PatternError):
        series_configure(actor=sekdes, village=a1, kind=SeriesKind.DECREE, pattern="[kode_desa]/[tahun]")
    for user in (
        world.user(Role.OPERATOR, VILLAGE_A1),
        world.user(Role.HEAD, VILLAGE_B1),
        world.user(Role.CAMAT, "35.10.01"),
    ):
        with pytest.raises(NotPermitted):
            series_configure(actor=user, village=a1, kind=SeriesKind.DECREE, pattern="[nomor]/[tahun]")
    series_configure(
        actor=world.user(Role.ADMIN, REGENCY), village=a1, kind=SeriesKind.DECREE, pattern="[nomor]/[tahun]"
    )
