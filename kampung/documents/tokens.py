"""Signed verification tokens, verification URLs and QR codes.

A token is ``base64url(payload) + "." + base64url(signature)`` (no padding); the payload is
compact JSON signed with the regency's current Ed25519 key. It carries what a reader needs
to trust the paper without asking the database: the key id, the verification code, the
document type, number, date of issue, village code and the holder's name with the NIK
masked (kept short so the QR stays easy to scan when printed small). The PDF's SHA-256 cannot be in it — the QR is printed inside the
PDF — so the verification page shows the hash from the register.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
from dataclasses import dataclass, field
from typing import Any

import segno
from cryptography.exceptions import InvalidSignature
from django.conf import settings
from django.urls import reverse

from kampung.documents import keys
from kampung.documents.models import Document
from kampung.population.checks import mask_nik

TOKEN_VERSION = 1
MAX_TOKEN_LENGTH = 2000


class TokenStatus:
    VALID = "sah"
    TAMPERED = "diubah"
    UNKNOWN_KEY = "kunci_tidak_dikenal"


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii"))


def token_payload(document: Document, *, kid: str) -> dict[str, Any]:
    return {
        "v": TOKEN_VERSION,
        "kid": kid,
        "c": document.verification_code,
        "t": document.title,
        "n": document.number,
        "d": document.issued_at.date().isoformat() if document.issued_at else "",
        "w": document.village_id,
        "h": document.subject_name,
        "k": mask_nik(document.subject_nik) if document.subject_nik else "",
    }


def token_for(document: Document) -> str:
    """The signed token for ``document``, with the current key of its regency."""
    kid, private = keys.current_key(document.village.regency_code)
    body = json.dumps(token_payload(document, kid=kid), separators=(",", ":"), ensure_ascii=False).encode()
    return f"{_b64encode(body)}.{_b64encode(private.sign(body))}"


@dataclass(frozen=True)
class TokenResult:
    status: str
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.status == TokenStatus.VALID

    @property
    def code(self) -> str:
        return str(self.payload.get("c", "")) if self.valid else ""


def token_verify(token: str) -> TokenResult:
    """Whether ``token`` was signed by one of the regency keys (current or retired).

    Anything that is not a well-formed token with a good signature is ``diubah`` (tampered);
    a well-formed token naming a key we do not have is ``kunci_tidak_dikenal``.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        return TokenResult(TokenStatus.TAMPERED)
    body_text, signature_text = token.split(".")
    try:
        body = _b64decode(body_text)
        signature = _b64decode(signature_text)
        payload = json.loads(body.decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return TokenResult(TokenStatus.TAMPERED)
    if (
        not isinstance(payload, dict)
        or payload.get("v") != TOKEN_VERSION
        or not isinstance(payload.get("kid"), str)
    ):
        return TokenResult(TokenStatus.TAMPERED)
    public = keys.public_key(payload["kid"])
    if public is None:
        return TokenResult(TokenStatus.UNKNOWN_KEY, {"kid": payload["kid"]})
    try:
        public.verify(signature, body)
    except InvalidSignature:
        return TokenResult(TokenStatus.TAMPERED)
    return TokenResult(TokenStatus.VALID, payload)


def verification_path(token: str) -> str:
    return reverse("documents:verify_token", kwargs={"token": token})


def verification_url(token: str) -> str:
    """The absolute URL put in the QR code (``PUBLIC_BASE_URL`` + ``/dokumen/cek/<token>``)."""
    return str(settings.PUBLIC_BASE_URL).rstrip("/") + verification_path(token)


def code_url() -> str:
    """Where people type the short code (printed under the QR)."""
    return str(settings.PUBLIC_BASE_URL).rstrip("/") + reverse("documents:verify_code")


def document_verification_url(document: Document) -> str:
    return verification_url(token_for(document))


def qr_svg(url: str, *, scale: int = 4, border: int = 4) -> str:
    """The QR code for ``url`` as an SVG document; each module is ``scale`` units wide,
    so the printed size is fixed by the caller (width = (modules + 2*border) * scale)."""
    qr = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    qr.save(
        out, kind="svg", scale=scale, border=border, xmldecl=False, svgns=True, title="Kode QR verifikasi"
    )
    return out.getvalue().decode("utf-8")


def qr_png(url: str, *, scale: int = 4, border: int = 4) -> bytes:
    """The QR code for ``url`` as PNG bytes, ``scale`` pixels per module."""
    qr = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    qr.save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


def qr_data_uri(url: str, *, scale: int = 4, border: int = 4) -> str:
    """A PNG data URI, for an ``<img src>`` in a WeasyPrint template."""
    return "data:image/png;base64," + base64.b64encode(qr_png(url, scale=scale, border=border)).decode(
        "ascii"
    )
