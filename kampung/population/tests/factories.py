"""Residents and families for tests, made through the services (so every rule applies)."""

import datetime as dt
import itertools

from kampung.accounts.roles import Role
from kampung.population import services
from kampung.population.models import Family, Resident, Sex
from kampung.regions.models import Region

_serial = itertools.count(1)


def nik_for(village_code: str, birth: dt.date, sex: int, serial: int | None = None) -> str:
    prefix = "".join(village_code.split(".")[:3])
    day = birth.day + (40 if sex == Sex.FEMALE else 0)
    return f"{prefix}{day:02d}{birth:%m%y}{serial or next(_serial):04d}"


def make_family(world, village_code: str, **kw) -> Family:
    prefix = "".join(village_code.split(".")[:3])
    return services.family_create(
        actor=world.user(Role.OPERATOR, village_code),
        village=Region.objects.get(code=village_code),
        kk_number=kw.pop("kk_number", f"{prefix}010115{next(_serial):04d}"),
        **kw,
    )


def make_resident(
    world,
    village_code: str,
    name: str = "Slamet Riyadi",
    birth: dt.date = dt.date(1990, 1, 21),
    sex: int = Sex.MALE,
    **kw,
) -> Resident:
    return services.resident_create(
        actor=world.user(Role.OPERATOR, village_code),
        village=Region.objects.get(code=village_code),
        nik=kw.pop("nik", None) or nik_for(village_code, birth, sex),
        name=name,
        birth_date=birth,
        sex=sex,
        **kw,
    )
