"""Shared pieces of the letter-request tests: keys, media, people, a mandat, PDF checks."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from kampung.accounts.roles import Role
from kampung.conftest import REGENCY, VILLAGE_A1
from kampung.population.models import BasicStatus, Sex
from kampung.population.tests.factories import make_family, make_resident

DOMISILI = "surat-keterangan-domisili"
KEMATIAN = "surat-keterangan-kematian"
USAHA = "surat-keterangan-usaha"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    """A real PNG: uploads must decode, not only start with the right bytes."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 120, 200)).save(out, format="PNG")
    return out.getvalue()


PNG_BYTES = _png()


@pytest.fixture
def letters_env(settings: Any, tmp_path: Path) -> Path:
    """A regency key outside the database and a private media folder."""
    from kampung.documents import keys

    settings.KEYS_DIR = tmp_path / "keys"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_BASE_URL = "https://desa.example.go.id"
    keys.key_generate(regency=REGENCY)
    return tmp_path


def person(world: Any, village: str = VILLAGE_A1, name: str = "Siti Aminah", **kw: Any) -> Any:
    """A living resident with a family card and a phone number."""
    family = kw.pop("family", None) or make_family(world, village, dusun="Krajan", rw="002", rt="004")
    attributes = {"phone": kw.pop("phone", "081234567890"), "dusun": "Krajan", "rw": "002", "rt": "004"}
    attributes.update(kw.pop("attributes", {}))
    return make_resident(
        world,
        village,
        name=name,
        birth=kw.pop("birth", dt.date(1988, 5, 12)),
        sex=kw.pop("sex", Sex.FEMALE),
        family=family,
        attributes=attributes,
        **kw,
    )


def mark_dead(resident: Any) -> Any:
    """Put a resident's basic status to dead directly (the death service is not under test)."""
    type(resident).objects.filter(pk=resident.pk).update(basic_status=BasicStatus.DEAD)
    resident.refresh_from_db()
    return resident


def secretary_sign_mandate(world: Any, village: str = VILLAGE_A1) -> Any:
    """The head lets the secretary sign letters "a.n. Kepala Desa" (the head's own SK)."""
    from kampung.authority.register import village_mandate_give
    from kampung.regions.models import Region

    return village_mandate_give(
        actor=world.user(Role.HEAD, village),
        village=Region.objects.get(code=village),
        number="7",
        date=dt.date(2024, 1, 2),
        title="Mandat penandatanganan surat keterangan",
        to_role=Role.SECRETARY,
        acts=["letters.sign.*"],
        valid_from=dt.date(2024, 1, 2),
    )


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    need("pdftotext")
    path = tmp_path / "surat.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout


def pdf_qr(pdf: bytes, tmp_path: Path) -> str:
    """Rasterise the first page and decode the QR code on it, as a phone would."""
    need("pdftoppm")
    need("zbarimg")
    path = tmp_path / "qr-surat.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", "-f", "1", str(path), str(tmp_path / "page")],
        check=True,
    )
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()
