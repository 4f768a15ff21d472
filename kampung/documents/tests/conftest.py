from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kampung.conftest import REGENCY


@pytest.fixture
def keys_dir(settings: Any, tmp_path: Path) -> Path:
    """A temporary KEYS_DIR with one current key for the test regency."""
    from kampung.documents import keys

    settings.KEYS_DIR = tmp_path / "keys"
    keys.key_generate(regency=REGENCY)
    return settings.KEYS_DIR


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def issue(village_code: str, **overrides: Any) -> Any:
    """One issued service letter in ``village_code`` (default content, overridable)."""
    from django.db import transaction

    from kampung.documents.services import Signer, document_issue
    from kampung.regions.models import Region

    values: dict[str, Any] = {
        "actor": None,
        "village": Region.objects.get(code=village_code),
        "kind": "surat_keluar",
        "title": "Surat Keterangan Domisili",
        "classification": "400.12.2.1",
        "subject_name": "Siti Aminah",
        "subject_nik": "3510014506900002",
        "signer": Signer(name="Budi Santoso", title="Kepala Desa Sarongan"),
    }
    values.update(overrides)
    with transaction.atomic():
        return document_issue(**values)
