"""(being written) Reads for the blt area."""

from __future__ import annotations

from typing import Any

from kampung.assistance.models import Case


def case_panel(*, actor: Any, case: Case) -> dict[str, Any]:
    """Context for the panel this area adds to the case page (assistance/panels/blt.html)."""
    return {}
