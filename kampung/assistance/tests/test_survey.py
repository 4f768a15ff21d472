"""Survey photos (content check, EXIF time and GPS, browser location) and the survey with its
assessment: eligible with a score, and each refusal (issue #8 steps 2 and 3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine

from kampung.accounts.roles import Role
from kampung.assistance.models import AidHistory, CasePhoto, CaseStatus, LocationSource, PhotoKind, Survey
from kampung.assistance.photos import MAX_PHOTO_BYTES, photo_add, photo_remove
from kampung.assistance.services.surveys import survey_save
from kampung.assistance.tests.factories import blt_answers, household, make_case, programmes, rtlh_answers
from kampung.assistance.tests.test_cases_helpers import (
    add_survey_photos,
    jpeg,
    registered_case,
    surveyed_case,
    upload,
)
from kampung.conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.core.errors import InvalidTransition, KampungError, NotPermitted
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _june_2026(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(dt.datetime(2026, 6, 15, 3, 0, tzinfo=dt.UTC), tick=False):
        yield


# -- photos --------------------------------------------------------------------------------


def test_photo_keeps_exif_time_and_gps_under_the_private_path(world: Any) -> None:
    case = registered_case(world, VILLAGE_A1)
    data = jpeg()
    photo = photo_add(
        actor=world.user(Role.FIELD_OFFICER, VILLAGE_A1), case=case, kind=PhotoKind.ROOF, upload=upload(data)
    )
    assert photo.content_type == "image/jpeg" and photo.size == len(data)
    assert photo.file.name.startswith(f"private/assistance/{VILLAGE_A1}/2026/")
    assert photo.file.name.endswith(".jpg")
    assert photo.location_source == LocationSource.EXIF
    # 8°33'12.34" S, 114°10'30" E
    assert photo.latitude == Decimal("-8.553428") and photo.longitude == Decimal("114.175000")
    assert photo.taken_at is not None
    assert photo.taken_at.astimezone(dt.timezone(dt.timedelta(hours=7))).replace(tzinfo=None) == dt.datetime(
        2026, 6, 10, 9, 30
    )
    import hashlib

    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    with photo.file.open("rb") as handle:
        assert handle.read() == data


def test_without_exif_gps_the_browser_location_is_used(world: Any) -> None:
    case = registered_case(world, VILLAGE_A1)
    officer = world.user(Role.FIELD_OFFICER, VILLAGE_A1)
    photo = photo_add(
        actor=officer,
        case=case,
        kind=PhotoKind.WALL,
        upload=upload(jpeg(gps=None, taken=None)),
        latitude="-8.5601",
        longitude="114.1702",
    )
    assert photo.location_source == LocationSource.BROWSER
    assert photo.latitude == Decimal("-8.560100") and photo.taken_at is None
    bare = photo_add(actor=officer, case=case, kind=PhotoKind.FLOOR, upload=upload(jpeg(gps=None)))
    assert bare.latitude is None and bare.location_source == ""
    with pytest.raises(KampungError, match="jangkauan"):
        photo_add(
            actor=officer,
            case=case,
            kind=PhotoKind.TOILET,
            upload=upload(jpeg(gps=None)),
            latitude="95",
            longitude="114",
        )


def test_png_and_webp_are_accepted_by_content(world: Any) -> None:
    case = registered_case(world, VILLAGE_A1)
    officer = world.user(Role.FIELD_OFFICER, VILLAGE_A1)
    png = photo_add(
        actor=officer, case=case, kind=PhotoKind.ROOF, upload=upload(jpeg(fmt="PNG", gps=None), "x.jpg")
    )
    assert png.content_type == "image/png" and png.file.name.endswith(".png")
    webp = photo_add(actor=officer, case=case, kind=PhotoKind.WALL, upload=upload(jpeg(fmt="WEBP"), "a.bin"))
    assert webp.content_type == "image/webp"


def test_not_an_image_too_big_or_broken_is_refused_and_nothing_is_kept(world: Any) -> None:
    case = registered_case(world, VILLAGE_A1)
    officer = world.user(Role.FIELD_OFFICER, VILLAGE_A1)
    with pytest.raises(KampungError, match="bukan foto"):
        photo_add(actor=officer, case=case, kind=PhotoKind.ROOF, upload=upload(b"%PDF-1.4 hello", "atap.jpg"))
    with pytest.raises(KampungError, match="rusak"):
        photo_add(actor=officer, case=case, kind=PhotoKind.ROOF, upload=upload(jpeg()[:60]))
    big = upload(b"\xff\xd8\xff" + b"0" * (MAX_PHOTO_BYTES + 1))
    with pytest.raises(KampungError, match="10 MB"):
        photo_add(actor=officer, case=case, kind=PhotoKind.ROOF, upload=big)
    with pytest.raises(KampungError, match="Jenis foto"):
        photo_add(actor=officer, case=case, kind="selfie", upload=upload())
    assert not CasePhoto.objects.filter(case=case).exists()


def test_a_new_survey_photo_of_a_kind_replaces_the_old_one(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = registered_case(world, VILLAGE_A1)
    officer = world.user(Role.FIELD_OFFICER, VILLAGE_A1)
    first = photo_add(actor=officer, case=case, kind=PhotoKind.ROOF, upload=upload(jpeg(color=(1, 2, 3))))
    with django_capture_on_commit_callbacks(execute=True):
        second = photo_add(
            actor=officer, case=case, kind=PhotoKind.ROOF, upload=upload(jpeg(color=(9, 9, 9)))
        )
    assert list(CasePhoto.objects.filter(case=case)) == [second]
    # The old file goes once the replacement is committed.
    assert not Path(first.file.path).exists() and Path(second.file.path).exists()
    with django_capture_on_commit_callbacks(execute=True):
        photo_remove(actor=officer, photo=second)
    assert not CasePhoto.objects.filter(case=case).exists()
    assert not Path(second.file.path).exists()


@pytest.mark.parametrize("role", [Role.TREASURER, Role.SECRETARY, Role.BPD, Role.RESIDENT, Role.HEAD])
def test_only_surveyors_take_survey_photos(world: Any, role: str) -> None:
    case = registered_case(world, VILLAGE_A1)
    with pytest.raises(NotPermitted):
        photo_add(actor=world.user(role, VILLAGE_A1), case=case, kind=PhotoKind.ROOF, upload=upload())


def test_another_villages_officer_may_not_add_photos(world: Any) -> None:
    case = registered_case(world, VILLAGE_A1)
    with pytest.raises(NotPermitted):
        photo_add(
            actor=world.user(Role.FIELD_OFFICER, VILLAGE_B1), case=case, kind=PhotoKind.ROOF, upload=upload()
        )


def test_progress_photos_link_to_their_report(world: Any) -> None:
    from kampung.assistance.models import ProgressReport

    rtlh, _ = programmes()
    family, head = household(world, VILLAGE_A1)
    case = make_case(rtlh, family, head, status=CaseStatus.PAID, amount=17_500_000)
    report = ProgressReport.objects.create(case=case, percent=0, reported_on=dt.date(2026, 6, 1))
    photo = photo_add(
        actor=world.user(Role.EXECUTOR, VILLAGE_A1),
        case=case,
        kind=PhotoKind.PROGRESS,
        upload=upload(),
        progress=report,
    )
    assert photo.progress == report and photo.location_source == LocationSource.EXIF
    # Survey photos cannot be added once the survey stage is over.
    with pytest.raises(KampungError, match="sudah dikirim"):
        photo_add(
            actor=world.user(Role.FIELD_OFFICER, VILLAGE_A1), case=case, kind=PhotoKind.ROOF, upload=upload()
        )


# -- the survey ----------------------------------------------------------------------------


def test_submitted_survey_makes_the_case_eligible_with_its_score(world: Any) -> None:
    case = surveyed_case(world, VILLAGE_A1)
    assert case.status == CaseStatus.ELIGIBLE
    assert case.score == Decimal("100")
    assert case.refusal_code == ""
    survey = Survey.objects.get(case=case)
    assert survey.submitted_at is not None
    assert survey.answers["rumah_satu_satunya"] is True and survey.answers["luas_lantai"] == "24.00"
    assert survey.verifier == world.user(Role.FIELD_OFFICER, VILLAGE_A1)
    # No coordinates typed: the survey takes the place of its photos.
    assert survey.location_source == LocationSource.EXIF and survey.latitude == Decimal("-8.553428")
    acts = [e.act for e in case.events.order_by("at", "pk")]
    assert acts[0] == "assistance.case.register" and acts[-1] == "assistance.survey.submit"
    last = case.events.order_by("pk").last()
    assert last is not None and (last.source, last.target) == ("terdaftar", "layak")


def test_draft_keeps_partial_answers_and_submit_needs_all_and_four_photos(world: Any) -> None:
    case = registered_case(world, VILLAGE_A1)
    officer = world.user(Role.FIELD_OFFICER, VILLAGE_A1)
    draft = survey_save(
        actor=officer,
        case=case,
        answers={"luas_lantai": "30", "kondisi_atap": "bocor_parah"},
        surveyed_on=dt.date(2026, 6, 15),
        latitude="-8.55",
        longitude="114.17",
    )
    assert draft.submitted_at is None and draft.answers == {
        "luas_lantai": "30.00",
        "kondisi_atap": "bocor_parah",
    }
    assert draft.location_source == LocationSource.BROWSER
    with pytest.raises(KampungError, match="Atap: pilihan"):
        survey_save(
            actor=officer, case=case, answers={"kondisi_atap": "emas"}, surveyed_on=dt.date(2026, 6, 1)
        )
    with pytest.raises(KampungError, match="Jumlah penghuni wajib diisi"):
        survey_save(
            actor=officer,
            case=case,
            answers={"luas_lantai": "30"},
            surveyed_on=dt.date(2026, 6, 15),
            submit=True,
        )
    add_survey_photos(world, case, kinds=[PhotoKind.ROOF, PhotoKind.WALL])
    with pytest.raises(KampungError, match="lantai, jamban"):
        survey_save(
            actor=officer, case=case, answers=rtlh_answers(), surveyed_on=dt.date(2026, 6, 1), submit=True
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED
    assert Survey.objects.get(case=case).answers == {"luas_lantai": "30.00", "kondisi_atap": "bocor_parah"}
    with pytest.raises(KampungError, match="masa depan"):
        survey_save(actor=officer, case=case, answers={}, surveyed_on=dt.date(2026, 7, 1))


def test_only_surveyors_of_the_village_fill_the_survey_and_only_once(world: Any) -> None:
    case = registered_case(world, VILLAGE_A1)
    for user in (world.user(Role.TREASURER, VILLAGE_A1), world.user(Role.FIELD_OFFICER, VILLAGE_A2)):
        with pytest.raises(NotPermitted):
            survey_save(actor=user, case=case, answers=rtlh_answers(), surveyed_on=dt.date(2026, 6, 1))
    done = surveyed_case(world, VILLAGE_A1)
    with pytest.raises(InvalidTransition):
        survey_save(
            actor=world.user(Role.OPERATOR, VILLAGE_A1),
            case=done,
            answers=rtlh_answers(),
            surveyed_on=dt.date(2026, 6, 15),
        )


def test_land_not_own_is_refused_with_the_b02_reason(world: Any) -> None:
    case = surveyed_case(world, VILLAGE_A1, answers=rtlh_answers(status_tanah="numpang"))
    assert case.status == CaseStatus.REFUSED
    assert case.refusal_code == "syarat:RTLH-B02"
    assert "tanah milik sendiri" in case.refusal_reason
    assert "Menumpang" in case.refusal_reason
    assert case.closed_at is not None


def test_each_failed_knockout_is_named_in_the_reason(world: Any) -> None:
    case = surveyed_case(
        world,
        VILLAGE_A1,
        answers=rtlh_answers(penghasilan_bulanan="4500000", rumah_satu_satunya="tidak"),
    )
    assert case.status == CaseStatus.REFUSED
    assert case.refusal_code == "syarat:RTLH-P04"
    assert "satu-satunya" in case.refusal_reason and "upah minimum" in case.refusal_reason


def test_ten_year_rule_from_the_survey_answer(world: Any) -> None:
    case = surveyed_case(world, VILLAGE_A1, answers=rtlh_answers(tahun_bantuan_perumahan="2019"))
    assert (case.status, case.refusal_code) == (CaseStatus.REFUSED, "bantuan_10_tahun")
    assert "2019" in case.refusal_reason and "10 tahun" in case.refusal_reason
    eleven = surveyed_case(world, VILLAGE_A1, answers=rtlh_answers(tahun_bantuan_perumahan="2016"))
    assert eleven.status == CaseStatus.ELIGIBLE


def test_ten_year_rule_from_the_earlier_aid_register(world: Any) -> None:
    rtlh, _ = programmes()
    family, head = household(world, VILLAGE_A1)
    AidHistory.objects.create(
        regency=Region.objects.get(code="35.10"), nik=head.nik, name=head.name, year=2020, source="BSPS 2020"
    )
    from kampung.assistance.services.cases import case_register

    case = case_register(
        actor=world.user(Role.OPERATOR, VILLAGE_A1), programme=rtlh, year=2026, family=family
    )
    add_survey_photos(world, case)
    survey_save(
        actor=world.user(Role.FIELD_OFFICER, VILLAGE_A1),
        case=case,
        answers=rtlh_answers(),
        surveyed_on=dt.date(2026, 6, 15),
        submit=True,
    )
    case.refresh_from_db()
    assert case.refusal_code == "bantuan_10_tahun" and "BSPS 2020" in case.refusal_reason


def test_ten_year_rule_from_an_earlier_case_in_another_village_by_kk(world: Any) -> None:
    rtlh, _ = programmes()
    family, head = household(world, VILLAGE_A1)
    old_family, old_head = household(world, VILLAGE_A2)
    earlier = make_case(rtlh, old_family, old_head, status=CaseStatus.DONE, year=2019)
    earlier.kk_number = family.kk_number
    earlier.save()
    from kampung.assistance.services.cases import case_register

    case = case_register(
        actor=world.user(Role.OPERATOR, VILLAGE_A1), programme=rtlh, year=2026, family=family
    )
    add_survey_photos(world, case)
    survey_save(
        actor=world.user(Role.FIELD_OFFICER, VILLAGE_A1),
        case=case,
        answers=rtlh_answers(),
        surveyed_on=dt.date(2026, 6, 15),
        submit=True,
    )
    case.refresh_from_db()
    assert case.refusal_code == "bantuan_10_tahun"
    assert earlier.number in case.refusal_reason and "Pesanggaran" in case.refusal_reason
    # A cancelled or refused earlier case is no aid.
    earlier2_family, earlier2_head = household(world, VILLAGE_A2)
    other_family, _ = household(world, VILLAGE_A1)
    refused = make_case(rtlh, earlier2_family, earlier2_head, status=CaseStatus.REFUSED, year=2020)
    refused.kk_number = other_family.kk_number
    refused.save()
    ok = case_register(
        actor=world.user(Role.OPERATOR, VILLAGE_A1), programme=rtlh, year=2026, family=other_family
    )
    add_survey_photos(world, ok)
    survey_save(
        actor=world.user(Role.FIELD_OFFICER, VILLAGE_A1),
        case=ok,
        answers=rtlh_answers(),
        surveyed_on=dt.date(2026, 6, 15),
        submit=True,
    )
    ok.refresh_from_db()
    assert ok.status == CaseStatus.ELIGIBLE


def test_score_below_the_minimum_is_refused(world: Any) -> None:
    rtlh, _ = programmes()
    rtlh.min_score = Decimal("60")
    rtlh.save()
    case = surveyed_case(
        world,
        VILLAGE_A1,
        answers=rtlh_answers(luas_lantai="60", bahan_lantai="keramik", bahan_dinding="tembok_plester"),
    )
    assert case.status == CaseStatus.REFUSED and case.refusal_code == "skor"
    assert case.score == Decimal("50")
    assert "50" in case.refusal_reason and "60" in case.refusal_reason


def test_blt_survey_needs_no_photos_and_uses_the_bps_sheet(world: Any) -> None:
    case = registered_case(world, VILLAGE_A1, programme="blt")
    survey_save(
        actor=world.user(Role.FIELD_OFFICER, VILLAGE_A1),
        case=case,
        answers=blt_answers(),
        surveyed_on=dt.date(2026, 6, 15),
        submit=True,
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ELIGIBLE and case.score == Decimal("13")
    with_pkh = registered_case(world, VILLAGE_A1, programme="blt")
    survey_save(
        actor=world.user(Role.FIELD_OFFICER, VILLAGE_A1),
        case=with_pkh,
        answers=blt_answers(menerima_pkh="ya"),
        surveyed_on=dt.date(2026, 6, 15),
        submit=True,
    )
    with_pkh.refresh_from_db()
    assert with_pkh.refusal_code == "syarat:BLT-K01" and "PKH" in with_pkh.refusal_reason


def test_the_case_keeps_the_sheet_as_judged_when_the_regency_changes_it(world: Any, client: Any) -> None:
    from django.urls import reverse

    from kampung.assistance.models import Criterion
    from kampung.assistance.scoring import Assessment

    case = surveyed_case(world, VILLAGE_A1)
    kept = Assessment.from_json(case.survey.assessment)
    assert kept.score == case.score and kept.score > 0
    assert {line.code for line in kept.lines} >= {"RTLH-R01", "RTLH-B02"}
    # The regency doubles a weight afterwards: the case and its page keep the old judgement.
    Criterion.objects.filter(programme=case.programme, code="RTLH-R01").update(weight=Decimal("40"))
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    page = client.get(reverse("assistance:case", args=[case.pk])).content.decode()
    assert f"{kept.score.normalize():f} dari {kept.max_score.normalize():f}" in page
    assert "Kriteria telah diubah" not in page
