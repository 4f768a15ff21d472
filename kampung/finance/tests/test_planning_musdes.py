"""Musdes records: fields, minutes upload checks (PDF by content, 10 MB), scoped download."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import KELURAHAN_B, VILLAGE_A1, VILLAGE_A2
from kampung.core.errors import KampungError, NotPermitted
from kampung.finance.models import Musdes
from kampung.finance.services import planning as svc
from kampung.finance.tests.test_planning_factories import (
    PDF_BYTES,
    make_musdes,
    pdf_upload,
    region,
    secretary,
)

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _url(name, *args):
    return reverse(f"finance:{name}", args=args)


def _form(**kw):
    data = {
        "kind": "rkpdes",
        "title": "Musdes RKPDes 2026",
        "held_on": "2025-08-10",
        "place": "Balai desa",
        "year": "2026",
        "participant_count": "35",
        "participants": "BPD: Sutrisno",
        "summary": "Sepakat",
    }
    data.update(kw)
    return data


def test_record_with_minutes_is_audited(world):
    musdes = make_musdes(world, VILLAGE_A1, minutes=pdf_upload())
    assert musdes.minutes_file and musdes.minutes_file.read().startswith(b"%PDF")
    entry = AuditEntry.objects.get(act="finance.musdes.create")
    assert entry.after["minutes"] is True and entry.region_code == VILLAGE_A1


@pytest.mark.parametrize(
    "upload,message",
    [
        (SimpleUploadedFile("ba.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"), "harus PDF"),
        (SimpleUploadedFile("ba.pdf", b"", content_type="application/pdf"), "harus PDF"),
        (
            SimpleUploadedFile(
                "ba.pdf", PDF_BYTES + b"0" * (10 * 1024 * 1024), content_type="application/pdf"
            ),
            "10 MB",
        ),
    ],
)
def test_minutes_must_be_a_pdf_up_to_10mb(world, upload, message):
    with pytest.raises(KampungError, match=message):
        make_musdes(world, VILLAGE_A1, minutes=upload)
    assert not Musdes.objects.exists()


@pytest.mark.parametrize("role", [Role.TREASURER, Role.BPD, Role.EXECUTOR])
def test_only_planning_editors_record(world, role):
    with pytest.raises(NotPermitted):
        svc.musdes_save(
            actor=world.user(role, VILLAGE_A1),
            village=region(VILLAGE_A1),
            data=svc.MusdesInput(kind="rkpdes", title="x", held_on=dt.date(2025, 1, 1)),
        )


def test_create_edit_upload_and_download_over_http(client, world):
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    response = client.post(_url("musdes_create", VILLAGE_A1), {**_form(), "minutes": pdf_upload()})
    assert response.status_code == 302
    musdes = Musdes.objects.get()
    response = client.post(_url("musdes_edit", VILLAGE_A1, musdes.pk), _form(title="Musdes perencanaan 2026"))
    assert response.status_code == 302
    musdes.refresh_from_db()
    assert musdes.title == "Musdes perencanaan 2026" and musdes.minutes_file  # file kept
    client.force_login(world.user(Role.BPD, VILLAGE_A1))
    response = client.get(_url("musdes_minutes", VILLAGE_A1, musdes.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    page = client.get(_url("musdes_list", VILLAGE_A1)).content.decode()
    assert "Musdes perencanaan 2026" in page and "/media/" not in page


def test_bad_upload_is_a_clear_form_error_nothing_saved(client, world):
    client.force_login(secretary(world, VILLAGE_A1))
    fake = SimpleUploadedFile("ba.pdf", b"<html>not pdf</html>", content_type="application/pdf")
    response = client.post(_url("musdes_create", VILLAGE_A1), {**_form(), "minutes": fake})
    assert response.status_code == 200
    assert "harus PDF" in response.content.decode()
    for bad in (
        _form(held_on="kemarin"),
        _form(participant_count="-1"),
        _form(kind="rapat"),
        _form(title=""),
    ):
        assert client.post(_url("musdes_create", VILLAGE_A1), bad).status_code == 200
    assert not Musdes.objects.exists()


def test_scope_and_roles_over_http(client, world):
    musdes = make_musdes(world, VILLAGE_A1, minutes=pdf_upload())
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    assert client.get(_url("musdes_list", VILLAGE_A1)).status_code == 200
    assert client.post(_url("musdes_create", VILLAGE_A1), _form()).status_code == 403
    assert client.get(_url("musdes_edit", VILLAGE_A1, musdes.pk)).status_code == 403
    client.force_login(secretary(world, VILLAGE_A2))
    assert client.get(_url("musdes_minutes", VILLAGE_A1, musdes.pk)).status_code == 404
    assert client.get(_url("musdes_minutes", VILLAGE_A2, musdes.pk)).status_code == 404
    assert client.get(_url("musdes_edit", VILLAGE_A2, musdes.pk)).status_code == 404
    client.force_login(world.user(Role.HEAD, KELURAHAN_B))
    assert client.get(_url("musdes_list", KELURAHAN_B)).status_code == 404
    client.logout()
    assert client.get(_url("musdes_minutes", VILLAGE_A1, musdes.pk)).status_code == 302  # to login


def test_list_query_bound(client, world, django_assert_max_num_queries):
    for i in range(30):
        make_musdes(world, VILLAGE_A1, title=f"Musdes {i}")
    client.force_login(secretary(world, VILLAGE_A1))
    with django_assert_max_num_queries(10):
        response = client.get(_url("musdes_list", VILLAGE_A1))
    assert response.status_code == 200 and "Halaman 1 dari 2" in response.content.decode()


def test_new_minutes_replace_the_old_file(world, django_capture_on_commit_callbacks):
    musdes = make_musdes(world, VILLAGE_A1, minutes=pdf_upload())
    old_name = musdes.minutes_file.name
    storage = musdes.minutes_file.storage
    with django_capture_on_commit_callbacks(execute=True):
        svc.musdes_save(
            actor=secretary(world, VILLAGE_A1),
            village=region(VILLAGE_A1),
            data=svc.MusdesInput(kind="rkpdes", title="Musdes", held_on=dt.date(2025, 8, 10)),
            musdes=musdes,
            minutes=pdf_upload(PDF_BYTES + b"% versi 2\n"),
        )
    musdes.refresh_from_db()
    assert musdes.minutes_file.name != old_name
    assert not storage.exists(old_name)
    assert musdes.minutes_file.read().endswith(b"versi 2\n")
