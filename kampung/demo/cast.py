"""Who is who in the demo: the accounts, the village officials and the village profiles.

Everything is drawn from the seed (name pools from Faker's id_ID lists, combined with a seeded
``random.Random``), so a seed always gives the same people. Names, NIP and NIPD are made up.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field

from kampung.accounts.roles import Role
from kampung.demo.identity import name_pools, nip, nipd, official_name
from kampung.demo.population import village_layout
from kampung.population.models import Sex

REGENCY_CODE = "35.10"  # Kabupaten Banyuwangi
DISTRICT_CODES = ("35.10.01", "35.10.15")  # Pesanggaran, Glagah
# Desa with a full set of village accounts: Kemiren and Olehsari (Glagah), Sarongan (Pesanggaran).
VILLAGE_SET_CODES = ("35.10.15.2004", "35.10.15.2005", "35.10.01.2001")
KELURAHAN_CODES = ("35.10.15.1002",)  # Bakungan (Glagah): a lurah
DEMO_VILLAGE_CODES = VILLAGE_SET_CODES + KELURAHAN_CODES

# User names are fixed (they must not depend on what the database holds); a test checks
# they match the region names in the Kemendagri list.
USERNAME_SLUGS = {
    "35.10.01": "pesanggaran",
    "35.10.15": "glagah",
    "35.10.15.2004": "kemiren",
    "35.10.15.2005": "olehsari",
    "35.10.01.2001": "sarongan",
    "35.10.15.1002": "bakungan",
}

DEMO_PASSWORD = "kampung-demo-2026"
VALID_FROM = dt.date(2020, 1, 1)

# (role, user name prefix, title under the signature; {village} is the village's name)
VILLAGE_SET: tuple[tuple[str, str, str], ...] = (
    (Role.OPERATOR, "operator", "Operator Desa"),
    (Role.FIELD_OFFICER, "petugas", "Kepala Dusun {dusun}"),
    (Role.SECRETARY, "sekdes", "Sekretaris Desa"),
    (Role.TREASURER, "kaurkeu", "Kaur Keuangan"),
    (Role.EXECUTOR, "pelaksana", "Kasi Kesejahteraan"),
    (Role.HEAD, "kades", "Kepala Desa {village}"),
    (Role.BPD, "bpd", "Ketua BPD {village}"),
    (Role.RESIDENT, "warga", ""),
)
# Perangkat desa (Permendagri 84/2015) without an account in the demo.
OTHER_DESA_OFFICIALS = ("Kaur Tata Usaha dan Umum", "Kaur Perencanaan", "Kasi Pemerintahan", "Kasi Pelayanan")
KELURAHAN_OFFICIALS = (
    "Sekretaris Kelurahan",
    "Kasi Pemerintahan",
    "Kasi Ketenteraman dan Ketertiban Umum",
    "Kasi Pemberdayaan Masyarakat",
)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def demo_usernames() -> list[str]:
    """Every demo account's user name, in the order of the logins table."""
    names = [f"{prefix}.{USERNAME_SLUGS[code]}" for code in VILLAGE_SET_CODES for _, prefix, _ in VILLAGE_SET]
    names += [f"lurah.{USERNAME_SLUGS[code]}" for code in KELURAHAN_CODES]
    names += [f"{prefix}.{USERNAME_SLUGS[code]}" for code in DISTRICT_CODES for prefix in ("camat", "staf")]
    return [*names, "dpmd", "admin", "bupati"]


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    region_code: str
    full_name: str
    position_title: str = ""
    staff_number: str = ""
    phone: str = ""


@dataclass(frozen=True)
class OfficialPost:
    village_code: str
    name: str
    position: str
    staff_number: str
    order: int
    username: str = ""


@dataclass(frozen=True)
class ProfileData:
    village_code: str
    address: str
    phone: str
    head_name: str


@dataclass
class Cast:
    accounts: list[Account] = field(default_factory=list)
    officials: list[OfficialPost] = field(default_factory=list)
    profiles: list[ProfileData] = field(default_factory=list)

    def usernames(self) -> list[str]:
        return [a.username for a in self.accounts]


class _People:
    """Seeded names (from Faker's id_ID lists), birth dates and staff numbers."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"{seed}:cast")
        self.pools = name_pools()

    def sex(self, male_share: float = 0.7) -> int:
        return Sex.MALE if self.rng.random() < male_share else Sex.FEMALE

    def name(self, sex: int) -> str:
        return official_name(self.rng, self.pools, sex)

    def birth(self, youngest: int = 28, oldest: int = 58) -> dt.date:
        return dt.date(
            2025 - self.rng.randint(youngest, oldest), self.rng.randint(1, 12), self.rng.randint(1, 28)
        )

    def appointed(self, birth: dt.date) -> dt.date:
        year = min(2019, birth.year + self.rng.randint(23, 32))
        return dt.date(year, self.rng.choice((1, 3, 4, 12)), 1)

    def nip(self, sex: int) -> str:
        birth = self.birth(30, 56)
        return nip(self.rng, birth=birth, appointed=self.appointed(birth), sex=sex)

    def nipd(self, village_code: str) -> str:
        return nipd(self.rng, village_code=village_code, appointed=self.appointed(self.birth()))

    def mobile(self) -> str:
        return f"08{self.rng.choice('1235')}{self.rng.randint(10_000_000, 99_999_999)}"

    def office_phone(self) -> str:
        return f"(0333) {self.rng.randint(410_000, 429_999)}"  # Banyuwangi's area code


def demo_cast(*, seed: int, names: dict[str, str], resident_names: dict[str, str] | None = None) -> Cast:
    """Accounts, officials and profiles for a seed. ``names`` maps each demo region code to
    its name; ``resident_names`` gives the resident account of a village the name of one of
    its generated residents."""
    people = _People(seed)
    resident_names = resident_names or {}
    cast = Cast()
    regency = names[REGENCY_CODE].removeprefix("Kabupaten ").removeprefix("Kota ")
    for code in VILLAGE_SET_CODES:
        village = names[code]
        district = names[code[:8]]
        dusun = village_layout(code=code, seed=seed).dusun
        head_name = ""
        for role, prefix, title in VILLAGE_SET:
            username = f"{prefix}.{USERNAME_SLUGS[code]}"
            position = title.format(village=village, dusun=dusun[0])
            sex = people.sex(0.85 if role == Role.HEAD else 0.6)
            drawn = people.name(sex)  # drawn even when not used, so later names stay the same
            if role == Role.RESIDENT:
                full_name = resident_names.get(code) or drawn
                cast.accounts.append(Account(username, role, code, full_name, phone=people.mobile()))
                continue
            full_name = drawn
            number = "" if role in (Role.HEAD, Role.BPD) else people.nipd(code)
            cast.accounts.append(Account(username, role, code, full_name, position, number, people.mobile()))
            if role == Role.HEAD:
                head_name = full_name
        cast.officials.extend(_desa_officials(people, cast.accounts, code, dusun))
        cast.profiles.append(
            ProfileData(
                village_code=code,
                address=f"Jl. Raya {village} No. {people.rng.randint(1, 99)}, Kecamatan {district}, {regency}",
                phone=people.office_phone(),
                head_name=head_name,
            )
        )
    for code in KELURAHAN_CODES:
        village = names[code]
        sex = people.sex()
        lurah = Account(
            f"lurah.{USERNAME_SLUGS[code]}",
            Role.HEAD,
            code,
            people.name(sex),
            f"Lurah {village}",
            people.nip(sex),
            people.mobile(),
        )
        cast.accounts.append(lurah)
        cast.officials.append(
            OfficialPost(code, lurah.full_name, "Lurah", lurah.staff_number, 10, lurah.username)
        )
        for order, position in enumerate(KELURAHAN_OFFICIALS, start=2):
            sex = people.sex(0.55)
            cast.officials.append(OfficialPost(code, people.name(sex), position, people.nip(sex), order * 10))
        cast.profiles.append(
            ProfileData(
                village_code=code,
                address=f"Jl. {village} No. {people.rng.randint(1, 99)}, Kecamatan {names[code[:8]]}, {regency}",
                phone=people.office_phone(),
                head_name=lurah.full_name,
            )
        )
    for code in DISTRICT_CODES:
        district = names[code]
        for role, prefix, title in (
            (Role.CAMAT, "camat", "Camat {district}"),
            (Role.DISTRICT_OFFICER, "staf", "Kasi Pemerintahan Kecamatan {district}"),
        ):
            sex = people.sex()
            cast.accounts.append(
                Account(
                    f"{prefix}.{USERNAME_SLUGS[code]}",
                    role,
                    code,
                    people.name(sex),
                    title.format(district=district),
                    people.nip(sex),
                    people.mobile(),
                )
            )
    for role, username, title, civil_servant in (
        (Role.DPMD, "dpmd", "Kepala Bidang Pemerintahan Desa DPMD", True),
        (Role.ADMIN, "admin", "Admin Kabupaten", True),
        (Role.BUPATI, "bupati", f"Bupati {regency}", False),
    ):
        sex = people.sex()
        number = people.nip(sex) if civil_servant else ""
        cast.accounts.append(
            Account(username, role, REGENCY_CODE, people.name(sex), title, number, people.mobile())
        )
    return cast


def _desa_officials(
    people: _People, accounts: list[Account], code: str, dusun: tuple[str, ...]
) -> list[OfficialPost]:
    """The perangkat desa of one desa: the account holders and the rest, in SOTK order."""
    mine = {a.role: a for a in accounts if a.region_code == code}

    def post(role: str, position: str, order: int) -> OfficialPost:
        account = mine[role]
        return OfficialPost(code, account.full_name, position, account.staff_number, order, account.username)

    def other(position: str, order: int) -> OfficialPost:
        sex = people.sex(0.6)
        return OfficialPost(code, people.name(sex), position, people.nipd(code), order)

    posts = [
        post(Role.HEAD, "Kepala Desa", 10),
        post(Role.SECRETARY, "Sekretaris Desa", 20),
        other(OTHER_DESA_OFFICIALS[0], 30),
        post(Role.TREASURER, "Kaur Keuangan", 40),
        other(OTHER_DESA_OFFICIALS[1], 50),
        other(OTHER_DESA_OFFICIALS[2], 60),
        post(Role.EXECUTOR, "Kasi Kesejahteraan", 70),
        other(OTHER_DESA_OFFICIALS[3], 80),
        post(Role.FIELD_OFFICER, f"Kepala Dusun {dusun[0]}", 90),
    ]
    posts += [other(f"Kepala Dusun {name}", 90 + i) for i, name in enumerate(dusun[1:], start=1)]
    return posts
