"""What the API takes and gives: query parameters and response bodies."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field, field_validator

from kampung.population.models import BasicStatus
from kampung.population.selectors import SORTS

VILLAGE_CODE = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"
# Free text may hold no control characters: PostgreSQL refuses a NUL in a parameter (found by
# the Schemathesis run as a 500), and no name, dusun or RT has a tab or a newline.
PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"
MAX_PAGE = 10_000
MAX_LIMIT = 100


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Halaman, mulai dari 1.")
    limit: int = Field(25, ge=1, le=MAX_LIMIT, description="Baris per halaman (paling banyak 100).")


class ResidentFilters(PageParams):
    q: str = Field(
        "",
        max_length=100,
        pattern=PLAIN_TEXT,
        description="Nama (awal kata, 3 huruf atau lebih), NIK atau nomor KK.",
    )
    village: str = Field("", pattern=r"^$|" + VILLAGE_CODE[1:], description="Kode desa, mis. 35.10.01.2001.")
    dusun: str = Field("", max_length=60, pattern=PLAIN_TEXT)
    rw: str = Field("", max_length=3, pattern=PLAIN_TEXT)
    rt: str = Field("", max_length=3, pattern=PLAIN_TEXT)
    sex: int | None = Field(None, ge=1, le=2, description="1 laki-laki, 2 perempuan.")
    age_min: int | None = Field(None, ge=0, le=150)
    age_max: int | None = Field(None, ge=0, le=150)
    status: int | None = Field(
        None, description="Status dasar: 1 hidup, 2 mati, 3 pindah, 4 hilang, 6 pergi."
    )
    sort: str = Field("nama", description="Urutan: " + ", ".join(SORTS))

    @field_validator("status")
    @classmethod
    def _known_status(cls, value: int | None) -> int | None:
        if value is not None and value not in BasicStatus.values:
            raise ValueError("status dasar tidak dikenal")
        return value

    @field_validator("sort")
    @classmethod
    def _known_sort(cls, value: str) -> str:
        if value not in SORTS:
            raise ValueError("urutan tidak dikenal; pilih " + ", ".join(SORTS))
        return value


class FamilyFilters(PageParams):
    q: str = Field(
        "", max_length=100, pattern=PLAIN_TEXT, description="Nomor KK, atau nama salah satu anggota."
    )
    village: str = Field("", pattern=r"^$|" + VILLAGE_CODE[1:], description="Kode desa.")


class VillageOut(Schema):
    code: str
    name: str


class Coded(Schema):
    code: int | None
    label: str


class ResidentOut(Schema):
    id: int
    nik: str = Field(description="Utuh hanya bagi perangkat desa itu sendiri; selain itu disamarkan.")
    name: str
    sex: Coded
    birth_place: str
    birth_date: dt.date
    age: int
    religion: Coded
    marital_status: Coded
    family_relation: Coded
    education: Coded
    occupation: Coded
    basic_status: Coded
    village: VillageOut
    dusun: str
    rw: str
    rt: str
    family_id: int | None
    kk_number: str | None
    needs_review: bool


class LifeEventOut(Schema):
    kind: str
    label: str
    event_date: dt.date
    reported_date: dt.date


class ResidentDetailOut(ResidentOut):
    citizenship: Coded
    blood_type: Coded
    phone: str
    events: list[LifeEventOut]


class ResidentPage(Schema):
    items: list[ResidentOut]
    page: int
    limit: int
    next: str | None = Field(description="Alamat halaman berikutnya; kosong bila ini halaman terakhir.")
    previous: str | None


class HeadOut(Schema):
    id: int
    name: str


class FamilyOut(Schema):
    id: int
    kk_number: str
    village: VillageOut
    head: HeadOut | None
    address: str
    dusun: str
    rw: str
    rt: str
    members: int = Field(description="Jumlah anggota yang masih hidup dan tercatat di desa.")


class FamilyDetailOut(FamilyOut):
    member_list: list[ResidentOut]


class FamilyPage(Schema):
    items: list[FamilyOut]
    page: int
    limit: int
    next: str | None
    previous: str | None


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    code: str
    errors: list[FieldError] = []
