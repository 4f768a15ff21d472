"""What a survey asks: the attributes a criterion may test, with their type and choices.

A programme's kind decides which attributes its survey form shows (``KIND_ATTRIBUTES``);
criteria name an attribute, an operator and a value (``models.Criterion``). Two attributes
are derived, never typed: ``luas_per_orang`` (floor area / occupants) and
``tahun_sejak_bantuan`` (years since the last housing aid, for the 10-year rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from kampung.core.errors import KampungError


class AttrType:
    NUMBER = "angka"
    INTEGER = "bilangan"
    CHOICE = "pilihan"
    BOOL = "ya_tidak"
    YEAR = "tahun"


@dataclass(frozen=True)
class Attribute:
    code: str
    label: str
    type: str
    choices: tuple[tuple[str, str], ...] = ()
    unit: str = ""
    help: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    derived: bool = False
    # Blank allowed (e.g. "never received housing aid" leaves the year empty).
    optional: bool = False
    tags: frozenset[str] = field(default_factory=frozenset)

    def choice_label(self, value: Any) -> str:
        return dict(self.choices).get(str(value), str(value))


def _a(code: str, label: str, type_: str, **kw: Any) -> Attribute:
    return Attribute(code=code, label=label, type=type_, **kw)


ROOF = (
    ("baik", "Baik (genteng/seng utuh)"),
    ("rusak_ringan", "Rusak ringan"),
    ("genteng_rapuh", "Genteng rapuh"),
    ("daun_rumbia", "Daun / rumbia / ijuk"),
    ("bocor_parah", "Bocor parah"),
    ("jebol_membahayakan", "Jebol / struktur membahayakan penghuni"),
)
WALL = (
    ("tembok_plester", "Tembok diplester"),
    ("tembok_tanpa_plester", "Tembok tanpa plester"),
    ("kayu", "Kayu / papan"),
    ("bambu", "Bambu / anyaman bambu (gedek)"),
    ("rumbia", "Rumbia / rotan"),
    ("lainnya_kelas4", "Bahan lain kelas IV (seng bekas, kardus)"),
)
FLOOR = (
    ("keramik", "Keramik / ubin / marmer"),
    ("semen", "Semen / plester"),
    ("kayu_baik", "Kayu / papan berkualitas baik"),
    ("kayu_murah", "Kayu / papan murah"),
    ("bambu", "Bambu"),
    ("tanah", "Tanah"),
)
LEVEL = (("cukup", "Cukup"), ("minim", "Minim"), ("tidak_ada", "Tidak ada"))
TOILET = (("sendiri", "Milik sendiri"), ("bersama", "Bersama rumah tangga lain"), ("tidak_ada", "Tidak ada"))
WATER = (
    ("ledeng", "Ledeng / PDAM"),
    ("sumur_terlindung", "Sumur / sumur bor terlindung"),
    ("mata_air_terlindung", "Mata air terlindung"),
    ("sumur_tidak_terlindung", "Sumur tidak terlindung"),
    ("mata_air_tidak_terlindung", "Mata air tidak terlindung"),
    ("sungai", "Sungai / danau"),
    ("hujan", "Air hujan"),
    ("beli", "Air kemasan / isi ulang"),
)
POWER = (
    ("pln_sendiri", "PLN, meteran sendiri"),
    ("pln_numpang", "PLN, menyambung tetangga"),
    ("non_pln", "Bukan PLN (genset, tenaga surya)"),
    ("tidak_ada", "Tidak ada listrik"),
)
LAND = (
    ("milik_sendiri", "Milik sendiri (sertifikat/letter C/girik)"),
    ("milik_keluarga", "Milik keluarga / warisan belum dibagi"),
    ("sewa", "Sewa / kontrak"),
    ("numpang", "Menumpang di tanah orang lain"),
    ("tanah_negara", "Tanah negara / tanah kas desa"),
)
FUEL = (
    ("listrik_gas", "Listrik / gas (LPG)"),
    ("minyak_tanah", "Minyak tanah"),
    ("kayu_arang", "Kayu bakar / arang"),
)
JOB = (
    ("tidak_bekerja", "Tidak bekerja"),
    ("buruh_tani", "Buruh tani / petani lahan sempit (≤ 500 m²)"),
    ("nelayan", "Nelayan kecil"),
    ("buruh", "Buruh / pekerja lepas"),
    ("pedagang_kecil", "Pedagang kecil / usaha mikro"),
    ("karyawan", "Karyawan / pegawai tetap"),
    ("lainnya", "Lainnya"),
)
EDUCATION = (
    ("tidak_sekolah", "Tidak / belum sekolah"),
    ("tidak_tamat_sd", "Tidak tamat SD"),
    ("sd", "SD / sederajat"),
    ("smp", "SMP / sederajat"),
    ("sma", "SMA / sederajat"),
    ("diploma_sarjana", "Diploma / sarjana"),
)

HOUSE = frozenset({"rumah"})
POOR = frozenset({"miskin"})
BOTH = HOUSE | POOR

ATTRIBUTES: dict[str, Attribute] = {
    a.code: a
    for a in [
        _a(
            "luas_lantai",
            "Luas lantai rumah",
            AttrType.NUMBER,
            unit="m²",
            minimum=Decimal("1"),
            maximum=Decimal("2000"),
            tags=BOTH,
        ),
        _a(
            "jumlah_penghuni",
            "Jumlah penghuni",
            AttrType.INTEGER,
            unit="orang",
            minimum=Decimal("1"),
            maximum=Decimal("50"),
            tags=BOTH,
        ),
        _a(
            "luas_per_orang",
            "Luas lantai per penghuni",
            AttrType.NUMBER,
            unit="m²/orang",
            derived=True,
            tags=BOTH,
        ),
        _a("kondisi_atap", "Atap", AttrType.CHOICE, choices=ROOF, tags=HOUSE),
        _a("bahan_dinding", "Dinding", AttrType.CHOICE, choices=WALL, tags=BOTH),
        _a("bahan_lantai", "Lantai", AttrType.CHOICE, choices=FLOOR, tags=BOTH),
        _a("ventilasi", "Ventilasi dan pencahayaan alami", AttrType.CHOICE, choices=LEVEL, tags=HOUSE),
        _a("jamban", "Jamban / fasilitas buang air besar", AttrType.CHOICE, choices=TOILET, tags=BOTH),
        _a("air_minum", "Sumber air minum", AttrType.CHOICE, choices=WATER, tags=BOTH),
        _a("listrik", "Sumber penerangan", AttrType.CHOICE, choices=POWER, tags=BOTH),
        _a("status_tanah", "Status tanah tempat rumah berdiri", AttrType.CHOICE, choices=LAND, tags=HOUSE),
        _a(
            "penghasilan_bulanan",
            "Penghasilan rumah tangga per bulan",
            AttrType.NUMBER,
            unit="Rp",
            minimum=Decimal("0"),
            maximum=Decimal("1000000000"),
            tags=BOTH,
        ),
        _a("rumah_satu_satunya", "Rumah ini satu-satunya rumah keluarga", AttrType.BOOL, tags=HOUSE),
        _a(
            "tahun_bantuan_perumahan",
            "Tahun terakhir menerima bantuan perumahan",
            AttrType.YEAR,
            optional=True,
            help="Kosongkan bila belum pernah menerima.",
            tags=HOUSE,
        ),
        _a(
            "tahun_sejak_bantuan",
            "Tahun sejak bantuan perumahan terakhir",
            AttrType.INTEGER,
            unit="tahun",
            derived=True,
            tags=HOUSE,
        ),
        _a("bersedia_swadaya", "Bersedia berswadaya dalam kelompok (KPB)", AttrType.BOOL, tags=HOUSE),
        _a("berkeluarga", "Sudah berkeluarga", AttrType.BOOL, tags=HOUSE),
        _a("wni", "Warga Negara Indonesia", AttrType.BOOL, tags=BOTH),
        _a("bahan_bakar_masak", "Bahan bakar memasak", AttrType.CHOICE, choices=FUEL, tags=POOR),
        _a(
            "makan_daging_per_minggu",
            "Makan daging/susu/ayam per minggu",
            AttrType.INTEGER,
            unit="kali",
            minimum=Decimal("0"),
            maximum=Decimal("21"),
            tags=POOR,
        ),
        _a(
            "pakaian_baru_per_tahun",
            "Membeli pakaian baru per tahun",
            AttrType.INTEGER,
            unit="stel",
            minimum=Decimal("0"),
            maximum=Decimal("50"),
            tags=POOR,
        ),
        _a(
            "makan_per_hari",
            "Makan per hari",
            AttrType.INTEGER,
            unit="kali",
            minimum=Decimal("0"),
            maximum=Decimal("6"),
            tags=POOR,
        ),
        _a("sanggup_berobat", "Sanggup membayar berobat ke puskesmas", AttrType.BOOL, tags=POOR),
        _a("pekerjaan_kepala", "Pekerjaan kepala rumah tangga", AttrType.CHOICE, choices=JOB, tags=POOR),
        _a(
            "pendidikan_kepala",
            "Pendidikan tertinggi kepala rumah tangga",
            AttrType.CHOICE,
            choices=EDUCATION,
            tags=POOR,
        ),
        _a("punya_tabungan", "Punya tabungan/barang mudah dijual ≥ Rp500.000", AttrType.BOOL, tags=POOR),
        _a("menerima_pkh", "Menerima PKH", AttrType.BOOL, tags=POOR),
        _a("menerima_sembako", "Menerima bantuan sembako/BPNT", AttrType.BOOL, tags=POOR),
    ]
}

# The attributes a programme kind's survey form shows (in this order).
KIND_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "rtlh": tuple(c for c, a in ATTRIBUTES.items() if "rumah" in a.tags and not a.derived),
    "blt": tuple(c for c, a in ATTRIBUTES.items() if "miskin" in a.tags and not a.derived),
    "lain": tuple(c for c, a in ATTRIBUTES.items() if not a.derived),
}


def survey_attributes(kind: str, extra: set[str] | None = None) -> list[Attribute]:
    """The attributes a survey of a programme of ``kind`` asks, plus any its criteria use."""
    codes = list(KIND_ATTRIBUTES.get(kind, KIND_ATTRIBUTES["lain"]))
    for code in sorted(extra or ()):
        attribute = ATTRIBUTES.get(code)
        if attribute is not None and not attribute.derived and code not in codes:
            codes.append(code)
    return [ATTRIBUTES[c] for c in codes]


_TRUE = {"1", "true", "ya", "on", "y"}
_FALSE = {"0", "false", "tidak", "off", "n"}


def clean_value(attribute: Attribute, raw: Any, *, this_year: int) -> Any:
    """One answer as stored (str, int, bool or a decimal string), or KampungError naming the field."""
    text = "" if raw is None else str(raw).strip()
    if text == "":
        if attribute.optional:
            return None
        raise KampungError(f"{attribute.label} wajib diisi.")
    if attribute.type == AttrType.CHOICE:
        if text not in dict(attribute.choices):
            raise KampungError(f"{attribute.label}: pilihan “{text[:40]}” tidak dikenal.")
        return text
    if attribute.type == AttrType.BOOL:
        if isinstance(raw, bool):
            return raw
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise KampungError(f"{attribute.label}: jawab ya atau tidak.")
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation as exc:
        raise KampungError(f"{attribute.label} harus berupa angka.") from exc
    if not number.is_finite():
        raise KampungError(f"{attribute.label} harus berupa angka.")
    if attribute.type in (AttrType.INTEGER, AttrType.YEAR) and number != number.to_integral_value():
        raise KampungError(f"{attribute.label} harus bilangan bulat.")
    if attribute.type == AttrType.YEAR:
        year = int(number)
        if not 1950 <= year <= this_year:
            raise KampungError(f"{attribute.label} harus antara 1950 dan {this_year}.")
        return year
    if attribute.minimum is not None and number < attribute.minimum:
        raise KampungError(
            f"{attribute.label} paling sedikit {attribute.minimum} {attribute.unit}".strip() + "."
        )
    if attribute.maximum is not None and number > attribute.maximum:
        raise KampungError(
            f"{attribute.label} paling banyak {attribute.maximum} {attribute.unit}".strip() + "."
        )
    if attribute.type == AttrType.INTEGER:
        return int(number)
    return str(number.quantize(Decimal("0.01")))


def answers_clean(attributes: list[Attribute], raw: dict[str, Any], *, this_year: int) -> dict[str, Any]:
    """All answers of a survey, checked; every missing or wrong field is named at once."""
    cleaned: dict[str, Any] = {}
    errors: list[str] = []
    for attribute in attributes:
        try:
            cleaned[attribute.code] = clean_value(attribute, raw.get(attribute.code), this_year=this_year)
        except KampungError as exc:
            errors.append(str(exc))
    if errors:
        raise KampungError(" ".join(errors))
    return cleaned


def with_derived(answers: dict[str, Any], *, this_year: int) -> dict[str, Any]:
    """The answers plus the derived attributes."""
    out = dict(answers)
    area, occupants = answers.get("luas_lantai"), answers.get("jumlah_penghuni")
    if area not in (None, "") and occupants:
        out["luas_per_orang"] = str((Decimal(str(area)) / Decimal(int(occupants))).quantize(Decimal("0.01")))
    if "tahun_bantuan_perumahan" in answers:
        last = answers.get("tahun_bantuan_perumahan")
        # Never received: as if it were long ago (the rule is "not within N years").
        out["tahun_sejak_bantuan"] = 999 if last in (None, "") else this_year - int(last)
    return out


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).replace(",", "."))
    except (InvalidOperation, ValueError):
        return None


def condition_holds(operator: str, value: str, answer: Any) -> bool | None:
    """Whether ``answer`` meets ``operator value``; None when the answer is missing (the
    criterion cannot be judged, which a knock-out treats as not met)."""
    if answer is None or answer == "":
        return None
    if operator == "ya":
        return answer is True
    if operator == "tidak":
        return answer is False
    if operator in ("in", "not_in"):
        options = {v.strip() for v in value.split(",") if v.strip()}
        inside = str(answer) in options
        return inside if operator == "in" else not inside
    left, right = _number(answer), _number(value)
    if operator == "eq":
        return left == right if left is not None and right is not None else str(answer) == value.strip()
    if left is None or right is None:
        return None
    return {
        "lt": left < right,
        "le": left <= right,
        "gt": left > right,
        "ge": left >= right,
    }.get(operator)


def answer_display(code: str, value: Any) -> str:
    """An answer as shown on the case page and in the PDF."""
    attribute = ATTRIBUTES.get(code)
    if attribute is None or value is None or value == "":
        return "—"
    if attribute.type == AttrType.BOOL:
        return "Ya" if value is True else "Tidak"
    if attribute.type == AttrType.CHOICE:
        return attribute.choice_label(value)
    return f"{value} {attribute.unit}".strip()
