"""The registry of acts the system knows, each with its original holder by law.

Apps register their acts at start-up (``AppConfig.ready``) or when the data that names
them is created (a letter type, an assistance programme).
"""

from __future__ import annotations

from dataclasses import dataclass

from kampung.accounts.roles import ROLE_LEVEL


@dataclass(frozen=True)
class Act:
    code: str
    holder_role: str
    description: str

    @property
    def holder_level(self) -> int:
        return ROLE_LEVEL[self.holder_role]


_REGISTRY: dict[str, Act] = {}


def register_act(code: str, *, holder_role: str, description: str) -> Act:
    if holder_role not in ROLE_LEVEL:
        raise ValueError(f"unknown role {holder_role!r} for act {code!r}")
    act = Act(code=code, holder_role=holder_role, description=description)
    existing = _REGISTRY.get(code)
    if existing is not None and existing != act:
        raise ValueError(f"act {code!r} is already registered with another holder")
    _REGISTRY[code] = act
    return act


def get_act(code: str) -> Act | None:
    return _REGISTRY.get(code)


def all_acts() -> list[Act]:
    return sorted(_REGISTRY.values(), key=lambda a: a.code)
