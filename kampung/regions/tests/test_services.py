import datetime as dt

import pytest

from kampung.audit.models import AuditEntry
from kampung.core.errors import KampungError
from kampung.regions.models import Holiday, Kind, Level, Region, TimeZoneChoice
from kampung.regions.services import parse_code, regions_load, timezone_for_code


def test_parse_code_levels_and_village_kinds():
    assert parse_code("35") == (Level.PROVINCE, Kind.PROVINSI)
    assert parse_code("35.10") == (Level.REGENCY, Kind.KABUPATEN)
    assert parse_code("35.78") == (Level.REGENCY, Kind.KOTA)
    assert parse_code("35.10.15") == (Level.DISTRICT, Kind.KECAMATAN)
    assert parse_code("35.10.15.1001") == (Level.VILLAGE, Kind.KELURAHAN)
    assert parse_code("35.10.15.2004") == (Level.VILLAGE, Kind.DESA)
    assert parse_code("51.03.01.3001") == (Level.VILLAGE, Kind.DESA_ADAT)


@pytest.mark.parametrize("bad", ["", "3510", "35.1", "35.10.15.204", "35.10.15.9001", "ab.10"])
def test_parse_code_refuses_malformed_codes_with_a_message(bad):
    with pytest.raises(KampungError) as err:
        parse_code(bad)
    assert "tidak sah" in err.value.message


def test_time_zones_follow_the_province():
    assert timezone_for_code("35.10") == TimeZoneChoice.WIB
    assert timezone_for_code("51.71") == TimeZoneChoice.WITA
    assert timezone_for_code("73.24") == TimeZoneChoice.WITA
    assert timezone_for_code("94.71") == TimeZoneChoice.WIT
    assert timezone_for_code("81.01") == TimeZoneChoice.WIT


@pytest.mark.django_db
def test_banyuwangi_has_25_districts_and_217_villages():
    regency = Region.objects.get(code="35.10")
    assert regency.name == "Kabupaten Banyuwangi"
    assert regency.timezone == TimeZoneChoice.WIB
    villages = Region.objects.filter(code__startswith="35.10.", level=Level.VILLAGE)
    assert villages.count() == 217
    assert villages.filter(kind=Kind.DESA).count() == 189
    assert villages.filter(kind=Kind.KELURAHAN).count() == 28
    assert Region.objects.filter(code__startswith="35.10.", level=Level.DISTRICT).count() == 25
    assert Region.objects.get(code="35.10.15.2004").parent.parent_id == "35.10"
    assert Region.objects.get(code="35").level == Level.PROVINCE
    assert not Region.objects.get(code="35.10.16.1001").keeps_apbdes
    assert Region.objects.get(code="35.10.01.2001").keeps_apbdes


@pytest.mark.django_db
def test_reload_updates_names_and_keeps_codes(tmp_path):
    Region.objects.filter(code="35.10.01.2001").update(name="Nama Lama")
    result = regions_load(prefix="35.10.01")
    assert result.created == 0
    assert Region.objects.get(code="35.10.01.2001").name == "Sarongan"
    newer = tmp_path / "baru.csv"
    newer.write_text(
        "kode,nama\n35,JAWA TIMUR\n35.10,Kabupaten Banyuwangi\n35.10.01,Pesanggaran\n"
        "35.10.01.2099,Desa Baru\n",
        encoding="utf-8",
    )
    result = regions_load(prefix="35.10.01", path=newer)
    assert result.created == 1
    # Codes missing from the newer list are kept: records may point at them.
    assert Region.objects.filter(code="35.10.01.2001").exists()
    assert Region.objects.get(code="35").name == "JAWA TIMUR"


@pytest.mark.django_db
def test_load_of_unknown_prefix_is_refused_and_changes_nothing():
    before = Region.objects.count()
    with pytest.raises(KampungError):
        regions_load(prefix="99.99")
    assert Region.objects.count() == before


@pytest.mark.django_db
def test_loading_all_of_indonesia():
    result = regions_load()
    assert result.total == 91_599
    assert result.by_level == {1: 38, 2: 514, 3: 7_285, 4: 83_762}
    assert Region.objects.count() == 91_599
    assert Region.objects.get(code="73.24").timezone == TimeZoneChoice.WITA
    assert AuditEntry.objects.filter(act="regions.load", object_id="*").exists()


@pytest.mark.django_db
def test_each_loaded_regency_gets_the_national_holidays():
    assert Holiday.objects.filter(regency_id="35.10", date=dt.date(2026, 8, 17)).exists()
