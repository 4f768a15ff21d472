"""The registry of acts the system knows, each with its original holder by law.

Apps register their acts at start-up (``AppConfig.ready``) or when the data that names
them is created (a letter type, an assistance programme).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass

from kampung.accounts.roles import ROLE_LEVEL


@dataclass(frozen=True)
class Act:
    code: str
    holder_role: str
    description: str
    # Other roles of the same office that hold the act by their duties (tugas jabatan), e.g.
    # the village operator checks letter requests alongside the secretary.
    co_holders: tuple[str, ...] = ()

    @property
    def holder_level(self) -> int:
        return ROLE_LEVEL[self.holder_role]


_REGISTRY: dict[str, Act] = {}


def register_act(code: str, *, holder_role: str, description: str, co_holders: tuple[str, ...] = ()) -> Act:
    if holder_role not in ROLE_LEVEL or any(r not in ROLE_LEVEL for r in co_holders):
        raise ValueError(f"unknown role {holder_role!r} for act {code!r}")
    act = Act(code=code, holder_role=holder_role, description=description, co_holders=co_holders)
    existing = _REGISTRY.get(code)
    if existing is not None and existing != act:
        raise ValueError(f"act {code!r} is already registered with another holder")
    _REGISTRY[code] = act
    return act


_FAMILIES: dict[str, Act] = {}


def register_family(
    pattern: str, *, holder_role: str, description: str, co_holders: tuple[str, ...] = ()
) -> Act:
    """A family of acts whose codes are made from data (``letters.sign.*``,
    ``assistance.*.decide``). Each member is registered when its data is created; until
    then (for example right after a restart) the family gives its default holder."""
    if holder_role not in ROLE_LEVEL:
        raise ValueError(f"unknown role {holder_role!r} for act family {pattern!r}")
    if any(r not in ROLE_LEVEL for r in co_holders):
        raise ValueError(f"unknown co-holder role for act family {pattern!r}")
    family = Act(code=pattern, holder_role=holder_role, description=description, co_holders=co_holders)
    _FAMILIES[pattern] = family
    return family


# A family member whose holder depends on its data (a letter type the catalogue has signed at
# the district or regency): the owning app answers with the holder's role, or None for the
# family's default.
HolderResolver = Callable[[str], str | None]
_RESOLVERS: dict[str, HolderResolver] = {}


def register_holder_resolver(pattern: str, resolver: HolderResolver) -> None:
    _RESOLVERS[pattern] = resolver


def family_of(code: str) -> Act | None:
    for pattern, family in _FAMILIES.items():
        if fnmatch.fnmatchcase(code, pattern):
            return family
    return None


def get_act(code: str) -> Act | None:
    act = _REGISTRY.get(code)
    if act is not None:
        return act
    family = family_of(code)
    if family is None:
        return None
    resolver = _RESOLVERS.get(family.code)
    resolved = resolver(code) if resolver is not None else None
    return Act(
        code=code,
        holder_role=resolved if resolved is not None and resolved in ROLE_LEVEL else family.holder_role,
        description=family.description,
        co_holders=family.co_holders,
    )


def all_families() -> list[Act]:
    return sorted(_FAMILIES.values(), key=lambda a: a.code)


def all_acts() -> list[Act]:
    return sorted(_REGISTRY.values(), key=lambda a: a.code)
