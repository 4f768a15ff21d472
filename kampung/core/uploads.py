"""Uploaded files: checked by their content, stored under names nobody can guess, and served
back only through scoped views with headers that keep a browser from running them.

Every app that keeps a user's file (letter-request attachments, SPP documents, progress and
field photos, Musdes minutes, instrument files, incoming-letter scans, village logos) checks
it here: the kind comes from the first bytes (never the name or the type the browser sent),
an image must decode (Pillow ``verify`` and ``load``), a PDF must start with ``%PDF-``, and the size is limited, read at most one byte past the limit whatever size the
upload claims. Errors are :class:`~kampung.core.errors.KampungError` with an Indonesian
message (forms turn them into field errors with :func:`form_check`).

:func:`file_response` sends a stored file with its checked type, ``nosniff``, a
``Content-Disposition`` and a Content-Security-Policy of its own (``default-src 'none'``,
and ``sandbox`` for images): even a file that got past the checks cannot run script in the
site's origin.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404, HttpResponse

from kampung.core.errors import KampungError
from kampung.core.images import sniff as sniff_image

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
IMAGES = (JPEG, PNG, WEBP)
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", WEBP: "webp"}
_NAMES = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", WEBP: "WebP"}
MB = 1024 * 1024

# A served user file runs nothing. Images also get ``sandbox`` (a unique origin, no script,
# no forms). PDFs do not: Chrome refuses to start its PDF viewer in a sandboxed document,
# and the viewer's own page needs inline style. Neither kind may be framed.
IMAGE_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"
)
PDF_POLICY = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'none'"


def sniff(head: bytes) -> str | None:
    """The content type of a PDF, JPEG, PNG or WebP by its first bytes, else None."""
    if head.startswith(b"%PDF-"):
        return PDF
    image = sniff_image(head)
    return image[0] if image else None


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    content_type: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]

    @property
    def size(self) -> int:
        return len(self.data)

    def content(self) -> ContentFile[bytes]:
        """The bytes under a random name: stored as ``<upload_to>/<32 hex>.<ext>``."""
        return ContentFile(self.data, name=random_name(self.extension))


def random_name(extension: str) -> str:
    return f"{uuid.uuid4().hex}.{extension}"


def _kinds_text(kinds: Iterable[str]) -> str:
    names = [_NAMES[k] for k in kinds]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " atau " + names[-1]


def _size_text(limit: int) -> str:
    return f"{limit // MB} MB" if limit % MB == 0 else f"{limit // 1024} KB"


def read_limited(upload: Any, *, max_bytes: int, what: str = "Berkas") -> bytes:
    """The upload's bytes; refused when missing, empty or larger than ``max_bytes`` (whatever
    size the upload claims, at most one byte past the limit is read)."""
    if upload is None:
        raise KampungError(f"{what}: pilih berkas yang akan diunggah.")
    claimed = getattr(upload, "size", None) or 0
    if claimed > max_bytes:
        raise KampungError(
            f"{what} terlalu besar ({claimed / MB:.1f} MB); paling besar {_size_text(max_bytes)}."
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes + 1)
    if hasattr(upload, "seek"):
        upload.seek(0)
    if len(data) > max_bytes:
        raise KampungError(f"{what} terlalu besar; paling besar {_size_text(max_bytes)}.")
    if not data:
        raise KampungError(f"{what} kosong.")
    return bytes(data)


def image_decodes(data: bytes) -> bool:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # verify() reads no pixels; a truncated or bogus body fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    return True


def check_upload(upload: Any, *, kinds: Iterable[str], max_bytes: int, what: str = "Berkas") -> CheckedFile:
    """Read and check an upload: one of ``kinds`` by its content, at most ``max_bytes``."""
    allowed = tuple(kinds)
    data = read_limited(upload, max_bytes=max_bytes, what=what)
    content_type = sniff(data[:16])
    if content_type not in allowed:
        raise KampungError(
            f"{what} harus berupa {_kinds_text(allowed)} (diperiksa dari isinya, bukan namanya)."
        )
    # A PDF is known by its header (%PDF-) and always served as application/pdf with nosniff,
    # so even a PDF/HTML polyglot is never rendered as a page. An image must decode.
    if content_type != PDF and not image_decodes(data):
        raise KampungError(f"{what} rusak atau bukan gambar yang dapat dibaca.")
    return CheckedFile(data=data, content_type=content_type)


def form_check(upload: Any, *, kinds: Iterable[str], max_bytes: int, what: str = "Berkas") -> CheckedFile:
    """:func:`check_upload` for a form's ``clean_<field>``: the refusal as a field error."""
    try:
        return check_upload(upload, kinds=kinds, max_bytes=max_bytes, what=what)
    except KampungError as exc:
        raise forms.ValidationError(exc.message) from exc


def stored_type(name: str, fallback: str = "application/octet-stream") -> str:
    """The content type of a stored file by its extension, which the checks above chose."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    for content_type, known in EXTENSIONS.items():
        if extension == known or (extension == "jpeg" and known == "jpg"):
            return content_type
    return fallback


def file_response(
    field_file: Any, *, content_type: str, filename: str, inline: bool = True, private: bool = True
) -> FileResponse:
    """Send a stored upload with safe headers; a missing file is "not found".

    Anything but a checked PDF or image goes out as ``application/octet-stream`` and as a
    download, so a browser never renders it."""
    if not field_file:
        raise Http404("Berkas tidak ditemukan.")
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("Berkas tidak ditemukan.") from exc
    known = content_type in EXTENSIONS
    response = FileResponse(
        handle,
        content_type=content_type if known else "application/octet-stream",
        as_attachment=not (inline and known),
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PDF_POLICY if content_type == PDF else IMAGE_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, max-age=3600" if private else "public, max-age=86400"
    return response


def serve_public_image(root: Path, path: str) -> HttpResponse:
    """A public image under ``root`` (village logos): only a file inside ``root`` whose bytes
    are a PNG, JPEG or WebP image, with that type and the headers of :func:`file_response`."""
    base = Path(root).resolve()
    target = (base / path).resolve()
    if base not in target.parents or not target.is_file():
        raise Http404("Berkas tidak ditemukan.")
    with target.open("rb") as handle:
        head = handle.read(16)
    content_type = sniff(head)
    if content_type not in IMAGES:
        raise Http404("Berkas tidak ditemukan.")
    response = HttpResponse(target.read_bytes(), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="logo.{EXTENSIONS[content_type]}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = IMAGE_POLICY
    response["Cache-Control"] = "public, max-age=86400"
    return response
