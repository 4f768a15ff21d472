"""Synthetic identities: NIK and KK numbers with the real structure, names, staff numbers.

NIK (16 digits) = ``PPKKCC DDMMYY SSSS``: the district where the person was first
registered, the birth date with 40 added to the day for women, and a serial from 0001 among
people of that district, date and sex. A KK number = ``PPKKCC DDMMYY SSSS``: the issuing
district, the registration date, and a serial from 0001 among KKs of that district and date
(domain.md §5.4; UU 23/2006 jo. UU 24/2013). Everything here is made up for the demo.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from faker.providers.person.id_ID import Provider as PersonProvider

from kampung.population.models import Sex

MAX_SERIAL = 9999
WOMEN_DAY_OFFSET = 40


def district_prefix(region_code: str) -> str:
    """``35.10.15.2004`` (or ``35.10.15``) -> ``351015``: the first six digits of a NIK/KK."""
    parts = region_code.split(".")
    if len(parts) < 3:
        raise ValueError(f"{region_code} is not a district or village code")
    return "".join(parts[:3])


def nik_date_part(birth_date: dt.date, sex: int) -> str:
    day = birth_date.day + (WOMEN_DAY_OFFSET if sex == Sex.FEMALE else 0)
    return f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}"


def kk_date_part(registered: dt.date) -> str:
    return f"{registered.day:02d}{registered.month:02d}{registered.year % 100:02d}"


class SerialBook:
    """The last serial used per six-digit date part, for one district prefix.

    One book per district and kind (NIK or KK); a new district starts a new book, so the
    counters never hold more than one district's dates.
    """

    def __init__(self, prefix: str) -> None:
        if len(prefix) != 6 or not prefix.isdigit():
            raise ValueError(f"district prefix must be six digits, not {prefix!r}")
        self.prefix = prefix
        self._last: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._last)

    def seed(self, numbers: Iterable[str]) -> None:
        """Continue after numbers already issued (so a resumed build never repeats one)."""
        for number in numbers:
            if len(number) != 16 or not number.startswith(self.prefix) or not number.isdigit():
                continue
            key, serial = number[6:12], int(number[12:])
            if serial > self._last.get(key, 0):
                self._last[key] = serial

    def take(self, date_part: str) -> str | None:
        """The next free number for this date part, or None when its 9999 serials are used."""
        serial = self._last.get(date_part, 0) + 1
        if serial > MAX_SERIAL:
            return None
        self._last[date_part] = serial
        return f"{self.prefix}{date_part}{serial:04d}"


@dataclass(frozen=True)
class NikParts:
    district: str
    day: int
    month: int
    year: int  # two digits, as written
    sex: int
    serial: int

    def matches(self, birth_date: dt.date) -> bool:
        return (self.day, self.month, self.year) == (birth_date.day, birth_date.month, birth_date.year % 100)


def _valid_in_either_century(day: int, month: int, year: int) -> bool:
    for century in (1900, 2000):
        try:
            dt.date(century + year, month, day)
        except ValueError:
            continue
        return True
    return False


def nik_parse(nik: str) -> NikParts | None:
    """Split a NIK into its parts; None when it does not have the NIK structure.

    Checks the shape only (16 digits, a real day and month for 19YY or 20YY, women's day
    41-71, serial not 0000), not whether the district exists.
    """
    if len(nik) != 16 or not nik.isdigit():
        return None
    day, month, year, serial = int(nik[6:8]), int(nik[8:10]), int(nik[10:12]), int(nik[12:])
    sex = Sex.MALE
    if day > WOMEN_DAY_OFFSET:
        day -= WOMEN_DAY_OFFSET
        sex = Sex.FEMALE
    if serial == 0 or not _valid_in_either_century(day, month, year):
        return None
    return NikParts(district=nik[:6], day=day, month=month, year=year, sex=sex, serial=serial)


# Names. Faker's id_ID lists, without the Batak clan names and the western given names that
# would be out of place in a Banyuwangi village, and with the short Javanese and Osing names
# common among older villagers.
_NOT_HERE = {
    "Damanik", "Dongoran", "Dabukke", "Hutagalung", "Hutapea", "Hutasoit", "Latupono", "Mangunsong",
    "Manullang", "Marpaung", "Marbun", "Nainggolan", "Nababan", "Napitupulu", "Siregar", "Sihombing",
    "Samosir", "Saragih", "Sihotang", "Simanjuntak", "Sinaga", "Simbolon", "Sitompul", "Sitorus",
    "Sirait", "Situmorang", "Tampubolon", "Tamba", "Tarihoran", "Namaga",
    "Edison", "Edward", "Elon", "Ibrani", "Kairav", "Kenzie", "Luis", "Olga", "Opung", "Oskar", "Simon",
    "Vero", "Viktor", "Vinsen", "Xanana", "Yosef",
    "Agnes", "Anastasia", "Betania", "Carla", "Chelsea", "Ciaobella", "Clara", "Cornelia", "Gabriella",
    "Jane", "Janet", "Jessica", "Karen", "Maria", "Michelle", "Natalia", "Oliva", "Olivia", "Ophelia",
    "Paris", "Patricia", "Paulin", "Queen", "Rachel", "Sakura", "Victoria", "Violet", "Yance",
}  # fmt: skip
_OLDER_MALE = (
    "Slamet", "Sugeng", "Suyanto", "Supriyadi", "Sutrisno", "Sumarno", "Misdi", "Sanusi", "Mursid",
    "Bambang", "Sukardi", "Sunarto", "Rusdi", "Kasiman", "Paiman", "Hasan", "Abdul", "Ahmad",
    "Mohammad", "Saiful", "Nurhadi", "Juhari", "Salim", "Supardi", "Wagiman", "Jumadi",
)  # fmt: skip
_OLDER_FEMALE = (
    "Siti", "Sri", "Sumiati", "Suliyah", "Sulastri", "Tutik", "Endang", "Misnati", "Juwairiyah",
    "Maimunah", "Sunarsih", "Painah", "Mujiati", "Rukmini", "Asiyah", "Khotijah", "Musripah",
    "Sumarni", "Tumini", "Satiyah", "Nurul", "Kasiyati",
)  # fmt: skip


@dataclass(frozen=True)
class NamePools:
    male_first: tuple[str, ...]
    female_first: tuple[str, ...]
    male_last: tuple[str, ...]
    female_last: tuple[str, ...]
    older_male: tuple[str, ...]
    older_female: tuple[str, ...]


@cache
def name_pools() -> NamePools:
    """Name pools drawn once from Faker's id_ID person lists (sorted, so order is stable)."""
    provider = PersonProvider

    def pool(values: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted({v for v in values if v not in _NOT_HERE}))

    return NamePools(
        male_first=pool(provider.first_names_male),
        female_first=pool(provider.first_names_female),
        male_last=pool(provider.last_names_male),
        female_last=pool(provider.last_names_female),
        older_male=tuple(sorted(_OLDER_MALE)),
        older_female=tuple(sorted(_OLDER_FEMALE)),
    )


def person_name(
    rng: random.Random, pools: NamePools, sex: int, birth_year: int, family_name: str = ""
) -> str:
    """A plausible name: older people often have one name, younger ones two."""
    male = sex == Sex.MALE
    if birth_year < 1970 and rng.random() < 0.55:
        first = rng.choice(pools.older_male if male else pools.older_female)
        return (
            first
            if rng.random() < 0.6
            else f"{first} {rng.choice(pools.male_last if male else pools.female_last)}"
        )
    first = rng.choice(pools.male_first if male else pools.female_first)
    if family_name and rng.random() < 0.35:
        return f"{first} {family_name}"
    roll = rng.random()
    if roll < 0.15:
        return first
    if roll < 0.3:
        return f"{rng.choice(pools.older_male if male else pools.older_female)} {first}"
    return f"{first} {rng.choice(pools.male_last if male else pools.female_last)}"


_DEGREES = ("S.Pd", "S.Sos", "S.E.", "S.H.", "S.Kom", "S.IP", "S.T.", "S.AP", "M.M.", "M.Pd", "M.Si")


def official_name(rng: random.Random, pools: NamePools, sex: int) -> str:
    """An official's name as printed under a signature: sometimes with the hajj title and a
    degree, as is common in East Javanese village and district offices."""
    male = sex == Sex.MALE
    first = rng.choice(pools.male_first if male else pools.female_first)
    name = f"{first} {rng.choice(pools.male_last if male else pools.female_last)}"
    if rng.random() < 0.15:
        name = f"{rng.choice(pools.older_male if male else pools.older_female)} {first}"
    if rng.random() < 0.15:
        name = f"{'H.' if male else 'Hj.'} {name}"
    if rng.random() < 0.4:
        name = f"{name}, {rng.choice(_DEGREES)}"
    return name


def nip(rng: random.Random, *, birth: dt.date, appointed: dt.date, sex: int) -> str:
    """A civil servant's NIP as printed: birth date, appointment month, sex, serial."""
    return f"{birth:%Y%m%d} {appointed:%Y%m} {1 if sex == Sex.MALE else 2} {rng.randint(1, 30):03d}"


def nipd(rng: random.Random, *, village_code: str, appointed: dt.date) -> str:
    """A village official's number (NIPD): village code, appointment year, serial (made up)."""
    return f"{village_code.replace('.', '')}{appointed.year}{rng.randint(1, 20):02d}"
