import datetime as dt
from decimal import Decimal

from django.template import Context, Template

from kampung.core.formatting import bulan_romawi, number_id, rupiah, tanggal, tanggal_waktu


def test_rupiah():
    assert rupiah(1250000) == "Rp 1.250.000"
    assert rupiah(Decimal("999")) == "Rp 999"
    assert rupiah(Decimal("1000")) == "Rp 1.000"
    assert rupiah(0) == "Rp 0"
    assert rupiah(Decimal("-5000")) == "-Rp 5.000"
    assert rupiah(Decimal("1234567.5")) == "Rp 1.234.568"
    assert rupiah(Decimal("1234567.5"), cents=True) == "Rp 1.234.567,50"
    assert rupiah(None) == "-"
    assert number_id(1700000) == "1.700.000"


def test_indonesian_dates():
    assert tanggal(dt.date(2018, 2, 14)) == "14 Februari 2018"
    assert tanggal(dt.date(2018, 2, 14), with_day=True) == "Rabu, 14 Februari 2018"
    assert tanggal(dt.datetime(2026, 12, 1, 9, 5)) == "1 Desember 2026"
    assert tanggal_waktu(dt.datetime(2026, 12, 1, 9, 5)) == "1 Desember 2026 09.05"
    assert bulan_romawi(4) == "IV"


def test_template_filters_are_builtin():
    html = Template("{{ a|rupiah }} / {{ d|tanggal }}").render(
        Context({"a": 1250000, "d": dt.date(2018, 2, 14)})
    )
    assert html == "Rp 1.250.000 / 14 Februari 2018"


def test_the_stylesheet_is_found_by_collectstatic():
    from django.contrib.staticfiles import finders

    assert finders.find("kampung/kampung.css")
