"""Shared helpers of the kiosk and public-page tests: the accessibility scan (axe-core, from
the ``axe-playwright-python`` package on PyPI) and where browser screenshots are kept."""

from __future__ import annotations

import importlib.resources
import os
import re
from pathlib import Path
from typing import Any

SERIOUS = ("serious", "critical")


def axe_source() -> str:
    return importlib.resources.files("axe_playwright_python").joinpath("axe.min.js").read_text()


def axe_violations(page: Any, *, impacts: tuple[str, ...] = SERIOUS) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.x A/AA rules) on the page as it is now; the violations of the
    given impacts, each with its rule id, impact, help text and the offending elements."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
                resultTypes: ['violations'],
            });
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
            }));
        }"""
    )
    return [v for v in result if v.get("impact") in impacts]


def assert_accessible(page: Any, what: str) -> None:
    found = axe_violations(page)
    assert not found, f"axe-core: serious/critical violations on {what}: {found}"


def artifacts_dir() -> Path:
    """Where browser tests save screenshots (``KAMPUNG_TEST_ARTIFACTS``, else
    ``var/test-artifacts``); CI keeps the folder."""
    root = Path(os.environ.get("KAMPUNG_TEST_ARTIFACTS") or Path.cwd() / "var" / "test-artifacts")
    root.mkdir(parents=True, exist_ok=True)
    return root


def screenshot(page: Any, name: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
    path = artifacts_dir() / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
