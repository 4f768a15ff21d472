from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _catalogue_present(request: Any) -> None:
    """Transactional tests elsewhere flush the database (and the migration's data with it)."""
    if "db" in request.fixturenames or "world" in request.fixturenames:
        from kampung.letters.loader import catalogue_ensure

        catalogue_ensure()
