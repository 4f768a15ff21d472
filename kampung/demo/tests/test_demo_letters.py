"""The demo's letter service: a signing key, requests in every state, documents that verify."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from kampung.demo.cast import DEMO_VILLAGE_CODES, REGENCY_CODE, VILLAGE_SET_CODES
from kampung.demo.letters import DEMO_PIN, KELAHIRAN, KEMATIAN, signing_key_ensure
from kampung.demo.services import demo_build
from kampung.documents import keys
from kampung.documents.models import Document
from kampung.documents.tokens import token_for, token_verify
from kampung.letters.models_requests import SUBJECT_KEY, Channel, LetterRequest, RequestStatus
from kampung.population.models import BasicStatus, ResidentAccount

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_BASE_URL = "https://desa.example.go.id"
    return tmp_path


def _build(capture: Any, **kw: Any) -> Any:
    # The PDFs are rendered once each signing commits: run those callbacks here.
    with capture(execute=True):
        return demo_build(seed=2018, **kw)


def _state() -> dict[str, Any]:
    return {
        "requests": sorted(LetterRequest.objects.values_list("code", "status")),
        "documents": sorted(Document.objects.values_list("number", "sha256")),
        "accounts": ResidentAccount.objects.count(),
        "keys": [k.kid for k in keys.key_list(regency=REGENCY_CODE)],
    }


def test_small_demo_has_requests_in_every_state_whose_letters_verify(
    media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    result = _build(django_capture_on_commit_callbacks)

    requests = list(LetterRequest.objects.select_related("letter_type", "document", "requester"))
    assert {r.status for r in requests} == set(RequestStatus.values)
    assert {r.channel for r in requests} == {Channel.COUNTER, Channel.ONLINE}
    assert {r.village_id for r in requests} == set(DEMO_VILLAGE_CODES)
    assert result.letters.requests == len(requests)
    assert sum(result.letters.by_status.values()) == len(requests)
    for code in VILLAGE_SET_CODES:
        mine = Counter(r.status for r in requests if r.village_id == code)
        assert set(mine) == set(RequestStatus.values), code
    for request in requests:
        if request.status == RequestStatus.REJECTED:
            assert len(request.rejection_reason) >= 5
        assert request.events.first().status_to == RequestStatus.SUBMITTED
        assert request.events.last().status_to == request.status

    # A death certificate is about a dead person; a birth certificate about a child.
    deaths = [r for r in requests if r.letter_type.slug == KEMATIAN]
    assert deaths
    for request in deaths:
        subject = request.parties.get(key=SUBJECT_KEY).resident
        assert subject.basic_status == BasicStatus.DEAD
        assert request.requester.basic_status == BasicStatus.LIVING
    assert any(r.letter_type.slug == KELAHIRAN for r in requests)

    # Online requests come from residents who log in with NIK + the demo PIN.
    online = [r for r in requests if r.channel == Channel.ONLINE]
    assert online
    for request in online:
        account = ResidentAccount.objects.select_related("user").get(resident=request.requester)
        assert account.active
        assert account.user.check_password(DEMO_PIN)
        assert not account.user.must_change_password
    assert {x.nik for x in result.letters.resident_logins} == set(
        ResidentAccount.objects.values_list("resident__nik", flat=True)
    )

    # Every signed letter has a number from its village's series, a stored PDF whose hash
    # is the registered one, and a token that verifies with the regency's public key.
    signed = [r for r in requests if r.document is not None]
    assert {r.status for r in signed} == {
        RequestStatus.SIGNED,
        RequestStatus.ISSUED,
        RequestStatus.HANDED_OVER,
    }
    assert all(r.document is None for r in requests if r not in signed)
    for request in signed:
        document = request.document
        data = Path(document.file.path).read_bytes()
        assert data.startswith(b"%PDF-")
        assert hashlib.sha256(data).hexdigest() == document.sha256
        token = token_for(document)
        checked = token_verify(token)
        assert checked.valid
        assert checked.payload["c"] == document.verification_code
        assert checked.payload["n"] == document.number
        body, signature = token.split(".")
        assert not token_verify(f"{body[:-2]}xx.{signature}").valid
    for code in VILLAGE_SET_CODES:
        # The service-letter series (the demo's decrees on assistance keep their own series).
        letters = Document.objects.filter(village_id=code, kind="surat_keluar")
        numbers = sorted(letters.values_list("sequence", flat=True))
        assert numbers == list(range(1, len(numbers) + 1)) and numbers
    # The mandat in the demo register lets Kemiren's secretary sign "a.n. Kepala Desa".
    assert any(
        r.document.signer_title.startswith("a.n. Kepala Desa")
        for r in signed
        if r.village_id == VILLAGE_SET_CODES[0]
    )


def test_second_demo_run_adds_no_letters_and_keeps_the_key(
    media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    _build(django_capture_on_commit_callbacks)
    before = _state()
    assert len(before["keys"]) == 1

    again = _build(django_capture_on_commit_callbacks)

    assert _state() == before
    assert again.letters.requests == 0
    assert again.letters.key_created == ""
    assert len(again.letters.resident_logins) == len(VILLAGE_SET_CODES)


def test_demo_reset_rebuilds_the_letters(media: Path, django_capture_on_commit_callbacks: Any) -> None:
    _build(django_capture_on_commit_callbacks)
    first = _state()

    result = _build(django_capture_on_commit_callbacks, reset=True)

    assert result.reset["letter_requests"] == len(first["requests"])
    assert result.reset["resident_accounts"] == first["accounts"]
    after = _state()
    assert len(after["requests"]) == len(first["requests"])
    assert {s for _, s in after["requests"]} == set(RequestStatus.values)
    assert after["accounts"] == first["accounts"]
    assert after["keys"] == first["keys"]  # the key is not part of the demo data
    assert sorted(Document.objects.values_list("sequence", flat=True))[0] == 1


def test_init_and_the_demo_make_a_signing_key_once(settings: Any, tmp_path: Path) -> None:
    settings.KEYS_DIR = tmp_path / "keys"
    call_command("init", "--regency", "73.24", "--admin", "admin@lutim.go.id", stdout=_Sink())
    made = keys.key_list(regency="73.24")
    assert len(made) == 1 and made[0].current
    assert (Path(settings.KEYS_DIR) / "7324" / f"{made[0].kid}.key.pem").stat().st_mode & 0o077 == 0

    info, created = signing_key_ensure("73.24")

    assert not created and info.kid == made[0].kid
    assert keys.key_list(regency="73.24") == made


class _Sink:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        return None
