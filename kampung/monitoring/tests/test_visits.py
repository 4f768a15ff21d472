"""Recording a field visit (services): who may, what is checked, what is stored. Every
refusal changes nothing; a recorded visit keeps its photos' EXIF time and place and leaves
the roll-up mark for the kegiatan figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import DISTRICT_A, DISTRICT_B, KELURAHAN_B, REGENCY, VILLAGE_A1, VILLAGE_B1
from kampung.core.errors import KampungError, NotPermitted
from kampung.monitoring.models import Area, FieldVisit, FieldVisitPhoto, PhotoLocation, RollupMark
from kampung.monitoring.services.visits import visit_record
from kampung.monitoring.tests.test_visits_support import NOW, ROAD, enacted, jpeg, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _june_2026(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=False):
        yield


def _record(world: Any, **kw: Any) -> FieldVisit:
    values: dict[str, Any] = {
        "actor": world.user(Role.DISTRICT_OFFICER, DISTRICT_A),
        "village": VILLAGE_A1,
        "year": 2026,
        "activity_code": ROAD,
        "visited_on": dt.date(2026, 6, 12),
        "percent": "45.5",
        "notes": "Pengecoran 200 m dari 300 m.",
        "findings": "Ketebalan beton di titik 120 m kurang; diminta diperbaiki.",
        "photos": [upload()],
    }
    values.update(kw)
    return visit_record(**values)


def _nothing_written() -> None:
    assert not FieldVisit.objects.exists()
    assert not FieldVisitPhoto.objects.exists()
    assert not AuditEntry.objects.filter(object_type="monitoring.FieldVisit").exists()
    assert not RollupMark.objects.filter(area=Area.PROJECTS).exists()


def test_visit_keeps_exif_time_and_gps_and_marks_the_rollup(world: Any) -> None:
    from kampung.finance.models import BudgetActivity

    apbdes = enacted(VILLAGE_A1)
    RollupMark.objects.all().delete()
    visit = _record(world)
    assert visit.activity_name == BudgetActivity.objects.get(apbdes=apbdes, activity_code__code=ROAD).name
    assert visit.percent == Decimal("45.50") and visit.village_id == VILLAGE_A1
    assert visit.officer == world.user(Role.DISTRICT_OFFICER, DISTRICT_A)
    (photo,) = visit.photos.all()
    assert photo.location_source == PhotoLocation.EXIF
    # 8°33'12.34" S, 114°10'30" E (assistance's test photo)
    assert photo.latitude == Decimal("-8.553428") and photo.longitude == Decimal("114.175000")
    assert photo.taken_at is not None
    wib = dt.timezone(dt.timedelta(hours=7))
    assert photo.taken_at.astimezone(wib).replace(tzinfo=None) == dt.datetime(2026, 6, 10, 9, 30)
    assert photo.content_type == "image/jpeg" and len(photo.sha256) == 64
    assert photo.file.name.startswith(f"private/monitoring/{VILLAGE_A1}/2026/") and photo.file.name.endswith(
        ".jpg"
    )
    entry = AuditEntry.objects.get(object_type="monitoring.FieldVisit")
    assert entry.object_id == str(visit.pk) and entry.region_code == VILLAGE_A1
    assert entry.role == Role.DISTRICT_OFFICER
    assert RollupMark.objects.filter(area=Area.PROJECTS, region_code=VILLAGE_A1).count() == 1


def test_without_exif_gps_the_browser_location_is_used(world: Any) -> None:
    enacted(VILLAGE_A1)
    visit = _record(
        world,
        photos=[upload(jpeg(gps=None, taken=None)), upload(jpeg(color=(1, 2, 3)))],
        latitude="-8.2191",
        longitude="114.3691",
    )
    first, second = visit.photos.order_by("pk")
    assert first.location_source == PhotoLocation.BROWSER and first.taken_at is None
    assert first.latitude == Decimal("-8.219100") and first.longitude == Decimal("114.369100")
    assert second.location_source == PhotoLocation.EXIF


def test_camat_and_dpmd_may_record_a_png_without_location(world: Any) -> None:
    enacted(VILLAGE_A1)
    png = upload(jpeg(gps=None, taken=None, fmt="PNG"), name="foto.png", content_type="image/png")
    visit = _record(world, actor=world.user(Role.CAMAT, DISTRICT_A), photos=[png])
    photo = visit.photos.get()
    assert photo.content_type == "image/png" and photo.latitude is None and photo.location_source == ""
    _record(world, actor=world.user(Role.DPMD, REGENCY))
    assert FieldVisit.objects.count() == 2


@pytest.mark.parametrize(
    ("role", "region"),
    [
        (Role.DISTRICT_OFFICER, DISTRICT_B),  # another district
        (Role.CAMAT, DISTRICT_B),
        (Role.HEAD, VILLAGE_A1),  # village staff do not record visits
        (Role.EXECUTOR, VILLAGE_A1),
        (Role.RESIDENT, VILLAGE_A1),
        (Role.BUPATI, REGENCY),
        (Role.ADMIN, REGENCY),
    ],
)
def test_roles_without_the_right_are_refused(world: Any, role: str, region: str) -> None:
    enacted(VILLAGE_A1)
    RollupMark.objects.all().delete()
    with pytest.raises(NotPermitted):
        _record(world, actor=world.user(role, region))
    _nothing_written()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"photos": []}, "paling sedikit satu foto"),
        ({"photos": None}, "paling sedikit satu foto"),
        ({"photos": [upload(b"%PDF-1.4 not a photo", name="a.jpg")]}, "bukan foto"),
        ({"photos": [upload(b"\xff\xd8\xff\xe0broken", name="a.jpg")]}, "rusak"),
        ({"photos": [upload(b"")]}, "kosong"),
        ({"photos": [upload(), upload(b"GIF89a....", name="b.gif")]}, "Foto ke-2"),
        ({"photos": [upload() for _ in range(11)]}, "Paling banyak 10 foto"),
        ({"visited_on": dt.date(2026, 6, 16)}, "setelah hari ini"),
        ({"visited_on": dt.date(2025, 12, 31)}, "sebelum tahun anggaran"),
        ({"visited_on": "2026-06-12"}, "Tanggal kunjungan tidak sah"),
        ({"percent": "100.01"}, "antara 0 dan 100"),
        ({"percent": "-1"}, "antara 0 dan 100"),
        ({"percent": "NaN"}, "antara 0 dan 100"),
        ({"percent": "lima"}, "harus angka"),
        ({"percent": "12.345"}, "dua angka"),
        ({"activity_code": "02.03.99"}, "tidak ada dalam APBDes"),
        ({"activity_code": ""}, "tidak ada dalam APBDes"),
        ({"year": 2025}, "tidak ada dalam APBDes"),
        ({"year": "abc"}, "Tahun anggaran tidak sah"),
        ({"notes": "x" * 4001}, "paling panjang"),
        ({"photos": [upload(jpeg(gps=None))], "latitude": "utara", "longitude": "1"}, "Koordinat"),
        ({"photos": [upload(jpeg(gps=None))], "latitude": "95", "longitude": "114"}, "di luar jangkauan"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(
    world: Any, changes: dict[str, Any], message: str
) -> None:
    enacted(VILLAGE_A1)
    RollupMark.objects.all().delete()
    with pytest.raises(KampungError) as exc:
        _record(world, **changes)
    assert message in exc.value.message
    _nothing_written()


def test_photo_over_ten_megabytes_is_refused(world: Any) -> None:
    from kampung.core.images import MAX_PHOTO_BYTES

    enacted(VILLAGE_A1)
    RollupMark.objects.all().delete()
    big = upload(b"\xff\xd8\xff" + b"0" * (MAX_PHOTO_BYTES + 1))
    with pytest.raises(KampungError, match="terlalu besar"):
        _record(world, photos=[big])
    _nothing_written()


def test_a_village_without_an_enacted_apbdes_or_a_kelurahan_is_refused(world: Any) -> None:
    from kampung.finance.tests.factories import make_apbdes

    make_apbdes(VILLAGE_B1, 2026)  # a draft only
    RollupMark.objects.all().delete()
    with pytest.raises(KampungError, match="tidak ada dalam APBDes"):
        _record(world, actor=world.user(Role.DISTRICT_OFFICER, DISTRICT_B), village=VILLAGE_B1)
    with pytest.raises(KampungError, match="tidak ada dalam APBDes"):
        _record(world, actor=world.user(Role.DISTRICT_OFFICER, DISTRICT_B), village=KELURAHAN_B)
    with pytest.raises(KampungError, match="sebuah desa"):
        _record(world, village=DISTRICT_A)
    _nothing_written()


def test_the_latest_enacted_revision_counts(world: Any) -> None:
    """A kegiatan added by the APBDes Perubahan (enacted) may be visited."""
    from kampung.finance.models import Apbdes, ApbdesStatus
    from kampung.finance.tests.factories import add_activity

    original = enacted(VILLAGE_A1)
    revision = Apbdes.objects.create(
        village_id=VILLAGE_A1, year=2026, revision=1, base=original, status=ApbdesStatus.ENACTED
    )
    add_activity(revision, "02.03.10")
    add_activity(revision, "02.04.03", name="Saluran irigasi tersier")
    visit = _record(world, activity_code="02.04.03")
    assert visit.activity_name == "Saluran irigasi tersier"
