"""Signed tokens, key rotation, the keys command, and QR codes that decode to the URL."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kampung.conftest import REGENCY, VILLAGE_A1
from kampung.documents import keys
from kampung.documents.tests.conftest import issue
from kampung.documents.tokens import (
    TokenStatus,
    qr_png,
    qr_svg,
    token_for,
    token_verify,
    verification_url,
)

pytestmark = pytest.mark.django_db


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_token_round_trip_carries_the_documents_facts(keys_dir: Path) -> None:
    doc = issue(VILLAGE_A1)
    result = token_verify(token_for(doc))
    assert result.valid
    p = result.payload
    assert p["c"] == doc.verification_code
    assert p["n"] == doc.number
    assert p["t"] == "Surat Keterangan Domisili"
    assert p["w"] == VILLAGE_A1
    assert p["d"] == doc.issued_at.date().isoformat()
    assert p["h"] == "Siti Aminah"
    assert p["k"] == "3510********0002"  # the NIK is never in the token in full
    assert "3510014506900002" not in json.dumps(p)
    assert p["kid"] == keys.key_list(regency=REGENCY)[-1].kid


def test_a_changed_payload_or_signature_is_tampered(keys_dir: Path) -> None:
    token = token_for(issue(VILLAGE_A1))
    body, sig = token.split(".")
    payload = json.loads(_unb64(body))
    payload["n"] = "400.12.2.1/999/3510012001/I/2026"
    forged = _b64(json.dumps(payload, separators=(",", ":")).encode()) + "." + sig
    assert token_verify(forged).status == TokenStatus.TAMPERED
    flipped = bytearray(_unb64(sig))
    flipped[0] ^= 1
    assert token_verify(body + "." + _b64(bytes(flipped))).status == TokenStatus.TAMPERED
    for garbage in ["", "abc", "a.b.c", "!!!.???", body, "." + sig, "x" * 5000]:
        assert token_verify(garbage).status == TokenStatus.TAMPERED


def test_a_token_signed_by_a_key_we_do_not_know_is_unknown_key(
    keys_dir: Path, settings: Any, tmp_path: Path
) -> None:
    doc = issue(VILLAGE_A1)
    settings.KEYS_DIR = tmp_path / "elsewhere"
    keys.key_generate(regency=REGENCY)  # a key only "elsewhere" has
    foreign = token_for(doc)
    settings.KEYS_DIR = keys_dir
    result = token_verify(foreign)
    assert result.status == TokenStatus.UNKNOWN_KEY
    assert result.payload["kid"].startswith("3510-")
    # A made-up kid with a valid-looking signature is unknown too, not valid.
    body, sig = foreign.split(".")
    payload = json.loads(_unb64(body))
    payload["kid"] = "../../etc/passwd"
    forged = _b64(json.dumps(payload).encode()) + "." + sig
    assert token_verify(forged).status == TokenStatus.UNKNOWN_KEY


def test_old_tokens_still_verify_after_rotation(keys_dir: Path) -> None:
    doc = issue(VILLAGE_A1)
    old_token = token_for(doc)
    old_kid = token_verify(old_token).payload["kid"]
    new = keys.key_generate(regency=REGENCY)
    new_token = token_for(doc)
    assert token_verify(new_token).payload["kid"] == new.kid != old_kid
    assert token_verify(old_token).valid
    listed = keys.key_list(regency=REGENCY)
    assert [k.kid for k in listed] == [old_kid, new.kid]
    assert listed[0].retired is not None and listed[1].current


def test_private_keys_are_0600_and_outside_the_database(keys_dir: Path) -> None:
    folder = keys_dir / "3510"
    private = list(folder.glob("*.key.pem"))
    assert len(private) == 1
    assert private[0].stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700


def test_signing_without_a_key_says_what_to_run(settings: Any, tmp_path: Path) -> None:
    settings.KEYS_DIR = tmp_path / "empty"
    doc = issue(VILLAGE_A1)
    with pytest.raises(keys.SigningKeyError, match="kampung keys generate"):
        token_for(doc)


def test_keys_command_generates_rotates_and_lists(settings: Any, tmp_path: Path, capsys: Any) -> None:
    settings.KEYS_DIR = tmp_path / "k"
    call_command("keys", "generate", "--regency", REGENCY)
    call_command("keys", "generate")  # one regency in the database: no need to name it
    call_command("keys", "list")
    out = capsys.readouterr().out
    assert out.count("Kunci baru") == 2
    assert "dipakai" in out and "diganti" in out
    with pytest.raises(CommandError, match="tidak ada"):
        call_command("keys", "generate", "--regency", "99.99")


def _decode(png: Path) -> str:
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


@pytest.fixture
def zbarimg() -> None:
    if shutil.which("zbarimg") is None:
        pytest.skip("zbarimg (Debian zbar-tools) is not installed")


def test_png_qr_decodes_to_the_verification_url(
    keys_dir: Path, tmp_path: Path, zbarimg: None, settings: Any
) -> None:
    settings.PUBLIC_BASE_URL = "https://desa.example.go.id"
    token = token_for(issue(VILLAGE_A1))
    url = verification_url(token)
    assert url == f"https://desa.example.go.id/dokumen/cek/{token}"
    path = tmp_path / "qr.png"
    path.write_bytes(qr_png(url, scale=4))
    decoded = _decode(path)
    assert decoded == url
    assert token_verify(decoded.rsplit("/", 1)[1]).valid


def test_svg_qr_rendered_in_a_pdf_decodes_to_the_url(keys_dir: Path, tmp_path: Path, zbarimg: None) -> None:
    """The letters app puts the SVG into a WeasyPrint PDF: render it that way, rasterise the
    page with pdftoppm, and decode what a phone would see."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian poppler-utils) is not installed")
    from weasyprint import HTML

    url = verification_url(token_for(issue(VILLAGE_A1)))
    svg = qr_svg(url, scale=3)
    assert svg.startswith("<svg") and 'width="' in svg
    data_uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    pdf = HTML(string=f'<img src="{data_uri}" style="width:60mm">').write_pdf()
    (tmp_path / "qr.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", str(tmp_path / "qr.pdf"), str(tmp_path / "page")],
        check=True,
    )
    assert _decode(tmp_path / "page.png") == url
