"""Forms of the population register's staff pages: the search, residents, families and the
life events. Coded fields offer the national code lists (:mod:`kampung.population.codes`).

The forms only parse input; every rule of the register (NIK structure, one living person per
NIK, dates) is enforced by the services, whose errors the views show on the form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from kampung.population import codes
from kampung.population.checks import MIN_NAME_PREFIX, name_tokens
from kampung.population.models import BasicStatus, Resident, Sex

SORT_CHOICES = [
    ("nama", "Nama (A–Z)"),
    ("-nama", "Nama (Z–A)"),
    ("umur", "Umur (termuda)"),
    ("-umur", "Umur (tertua)"),
    ("nik", "NIK"),
    ("terbaru", "Terbaru dicatat"),
]
MAX_AGE = 150


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _coded(
    code_list: str, label: str, *, required: bool = True, initial: int | None = None
) -> forms.TypedChoiceField:
    empty: list[tuple[Any, str]] = [] if required else [("", "—")]
    return forms.TypedChoiceField(
        label=label,
        choices=[*empty, *codes.choices(code_list)],
        coerce=int,
        empty_value=None,
        required=required,
        initial=initial,
    )


def _nik_field(label: str = "NIK", *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=24,
        required=required,
        help_text="16 angka, seperti tertulis di KK atau akta.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def _clean_number(value: str, what: str) -> str:
    digits = "".join(value.split())
    if digits and (len(digits) != 16 or not digits.isdigit()):
        raise forms.ValidationError(f"{what} harus 16 angka (tertulis {len(digits)} karakter).")
    return digits


# -- the search ----------------------------------------------------------------------------


class ResidentSearchForm(forms.Form):
    """The list's filters. Invalid filters are reported and ignored, never a 500."""

    q = forms.CharField(
        label="Cari NIK, nomor KK atau nama",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    desa = forms.ChoiceField(label="Desa/kelurahan", required=False)
    dusun = forms.CharField(label="Dusun", max_length=60, required=False)
    rw = forms.CharField(label="RW", max_length=3, required=False, widget=forms.TextInput(attrs={"size": 3}))
    rt = forms.CharField(label="RT", max_length=3, required=False, widget=forms.TextInput(attrs={"size": 3}))
    jk = forms.TypedChoiceField(
        label="Jenis kelamin",
        choices=[("", "Semua"), *Sex.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    umur_min = forms.IntegerField(label="Umur dari", min_value=0, max_value=MAX_AGE, required=False)
    umur_max = forms.IntegerField(label="sampai", min_value=0, max_value=MAX_AGE, required=False)
    status = forms.TypedChoiceField(
        label="Status",
        choices=[("", "Semua"), *BasicStatus.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    periksa = forms.BooleanField(label="Hanya yang perlu diperiksa", required=False)
    sort = forms.ChoiceField(label="Urutkan", choices=SORT_CHOICES, required=False)

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        desa = self.fields["desa"]
        assert isinstance(desa, forms.ChoiceField)
        desa.choices = [("", "Semua desa/kelurahan"), *villages]
        for name in ("umur_min", "umur_max"):
            self.fields[name].widget.attrs.update({"min": 0, "max": MAX_AGE})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("umur_min"), data.get("umur_max")
        if low is not None and high is not None and low > high:
            self.add_error("umur_max", "Umur 'sampai' harus sama atau lebih besar dari umur 'dari'.")
        return data

    def filters(self) -> dict[str, Any]:
        """The valid filters as :func:`selectors.resident_search` keywords (invalid ones dropped)."""
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q") or "",
            "village": data.get("desa") or "",
            "dusun": (data.get("dusun") or "").strip(),
            "rw": (data.get("rw") or "").strip(),
            "rt": (data.get("rt") or "").strip(),
            "sex": data.get("jk"),
            "age_min": data.get("umur_min"),
            "age_max": data.get("umur_max"),
            "status": data.get("status"),
            "needs_review": True if data.get("periksa") else None,
            "sort": data.get("sort") or "nama",
        }


def query_problem(q: str) -> str:
    """Why a search text finds nobody by construction (too short, not 16 digits), or ""."""
    q = q.strip()
    if not q:
        return ""
    digits = q.replace(" ", "")
    if digits.isdigit():
        if len(digits) != 16:
            return (
                f"NIK dan nomor KK terdiri dari 16 angka; yang diketik {len(digits)} angka. "
                "Periksa lagi angkanya, atau cari dengan nama."
            )
        return ""
    if not any(len(w) >= MIN_NAME_PREFIX for w in name_tokens(q)):
        return f"Ketik paling sedikit {MIN_NAME_PREFIX} huruf untuk setiap kata nama yang dicari (misalnya 'sla' untuk Slamet)."
    return ""


def ignored_words(q: str) -> list[str]:
    """Words of a name search too short to be used (they are left out of the search)."""
    if q.replace(" ", "").isdigit():
        return []
    return [w for w in name_tokens(q) if len(w) < MIN_NAME_PREFIX]


# -- reporter and dates of an event --------------------------------------------------------


class EventForm(forms.Form):
    """Dates and reporter of a life event (Buku Mutasi Penduduk): the reporter is a resident
    chosen from the list, or a name typed in."""

    reported_date = forms.DateField(label="Tanggal lapor", widget=_date_input())
    reporter = forms.TypedChoiceField(
        label="Pelapor (penduduk)", coerce=int, empty_value=None, required=False, choices=[]
    )
    reporter_name = forms.CharField(
        label="atau nama pelapor",
        max_length=150,
        required=False,
        help_text="Isi jika pelapor tidak ada dalam daftar di atas.",
    )

    def __init__(self, *args: Any, reporters: list[Resident] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("reported_date", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.reporters = {r.pk: r for r in reporters or []}
        field = self.fields["reporter"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "— pilih —"), *((r.pk, r.name) for r in reporters or [])]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("reporter") and not (data.get("reporter_name") or "").strip():
            self.add_error("reporter_name", "Pilih pelapor dari daftar atau tulis nama pelapor.")
        return data

    def event_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "reported_date": data["reported_date"],
            "reporter": self.reporters.get(data["reporter"]) if data.get("reporter") else None,
            "reporter_name": (data.get("reporter_name") or "").strip(),
        }


# -- resident data -------------------------------------------------------------------------

IDENTITY_FIELDS = ("nik", "name", "birth_date", "sex")
ATTRIBUTE_FORM_FIELDS = (
    "birth_place",
    "religion",
    "marital_status",
    "family_relation",
    "education",
    "occupation",
    "citizenship",
    "blood_type",
    "disability",
    "phone",
)
ADDRESS_FIELDS = ("dusun", "rw", "rt")


class ResidentDataForm(forms.Form):
    """A person's data as the Buku Induk Penduduk keeps it."""

    nik = _nik_field()
    name = forms.CharField(label="Nama lengkap", max_length=150)
    birth_place = forms.CharField(label="Tempat lahir", max_length=100, required=False)
    birth_date = forms.DateField(label="Tanggal lahir", widget=_date_input())
    sex = forms.TypedChoiceField(label="Jenis kelamin", choices=Sex.choices, coerce=int)
    religion = _coded("agama_id", "Agama", initial=1)
    marital_status = _coded("status_kawin", "Status perkawinan", initial=1)
    family_relation = _coded("kk_level", "Hubungan dalam keluarga", initial=4)
    education = _coded("pendidikan_kk_id", "Pendidikan (dalam KK)", initial=1)
    occupation = _coded("pekerjaan_id", "Pekerjaan", initial=1)
    citizenship = _coded("warganegara_id", "Kewarganegaraan", initial=1)
    blood_type = _coded("golongan_darah_id", "Golongan darah", initial=13)
    disability = _coded("cacat_id", "Disabilitas", required=False)
    phone = forms.CharField(label="Telepon", max_length=30, required=False)
    dusun = forms.CharField(label="Dusun", max_length=60, required=False)
    rw = forms.CharField(label="RW", max_length=3, required=False)
    rt = forms.CharField(label="RT", max_length=3, required=False)

    def __init__(self, *args: Any, with_address: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_address:
            for name in ADDRESS_FIELDS:
                del self.fields[name]

    def clean_nik(self) -> str:
        nik = _clean_number(self.cleaned_data["nik"], "NIK")
        if not nik:
            raise forms.ValidationError("NIK wajib diisi.")
        return nik

    def clean_birth_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise forms.ValidationError("Tanggal lahir tidak boleh di masa depan.")
        return value

    def identity(self) -> dict[str, Any]:
        return {f: self.cleaned_data[f] for f in IDENTITY_FIELDS}

    def attributes(self) -> dict[str, Any]:
        """Attributes for the services; an empty address part is left to the family's."""
        values = {f: self.cleaned_data[f] for f in ATTRIBUTE_FORM_FIELDS if f in self.cleaned_data}
        values["birth_place"] = (values.get("birth_place") or "").strip()
        values["phone"] = (values.get("phone") or "").strip()
        for part in ADDRESS_FIELDS:
            value = (self.cleaned_data.get(part) or "").strip()
            if value:
                values[part] = value
        return values


class FamilyCreateForm(ResidentDataForm):
    """A new family (Kartu Keluarga) and its head."""

    desa = forms.ChoiceField(label="Desa/kelurahan")
    kk_number = forms.CharField(
        label="Nomor KK",
        max_length=24,
        help_text="16 angka, seperti tertulis di Kartu Keluarga.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = forms.CharField(label="Alamat", max_length=255, required=False)

    field_order = ["desa", "kk_number", "address", "dusun", "rw", "rt"]

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        desa = self.fields["desa"]
        assert isinstance(desa, forms.ChoiceField)
        desa.choices = villages
        if len(villages) == 1:
            desa.initial = villages[0][0]
        self.fields["family_relation"].initial = 1
        self.fields["name"].label = "Nama kepala keluarga"
        self.fields["nik"].label = "NIK kepala keluarga"

    def clean_kk_number(self) -> str:
        kk = _clean_number(self.cleaned_data["kk_number"], "Nomor KK")
        if not kk:
            raise forms.ValidationError("Nomor KK wajib diisi.")
        return kk


class BirthForm(EventForm):
    """A baby born into a family; the relation is 'anak' unless said otherwise."""

    nik = _nik_field("NIK bayi")
    name = forms.CharField(label="Nama bayi", max_length=150)
    sex = forms.TypedChoiceField(label="Jenis kelamin", choices=Sex.choices, coerce=int)
    birth_date = forms.DateField(label="Tanggal lahir", widget=_date_input())
    birth_place = forms.CharField(label="Tempat lahir", max_length=100, required=False)
    family_relation = _coded("kk_level", "Hubungan dalam keluarga", initial=4)
    religion = _coded("agama_id", "Agama", initial=1)
    blood_type = _coded("golongan_darah_id", "Golongan darah", initial=13)

    field_order = [
        "nik",
        "name",
        "sex",
        "birth_date",
        "birth_place",
        "family_relation",
        "religion",
        "blood_type",
    ]

    def clean_nik(self) -> str:
        nik = _clean_number(self.cleaned_data["nik"], "NIK")
        if not nik:
            raise forms.ValidationError("NIK wajib diisi.")
        return nik

    def attributes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "birth_place": (data.get("birth_place") or "").strip(),
            "family_relation": data["family_relation"],
            "religion": data["religion"],
            "blood_type": data["blood_type"],
        }


class MoveInForm(EventForm, ResidentDataForm):
    """A person moving in: their data, where from, and the family (KK) they join, if any."""

    desa = forms.ChoiceField(label="Desa/kelurahan tujuan")
    move_date = forms.DateField(label="Tanggal datang", widget=_date_input())
    origin = forms.CharField(label="Alamat asal", max_length=255)
    kk_number = forms.CharField(
        label="Masuk ke KK nomor",
        max_length=24,
        required=False,
        help_text="Kosongkan jika belum masuk KK mana pun di desa ini.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    field_order = ["desa", "move_date", "origin", "kk_number"]

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        desa = self.fields["desa"]
        assert isinstance(desa, forms.ChoiceField)
        desa.choices = villages
        if len(villages) == 1:
            desa.initial = villages[0][0]

    def clean_kk_number(self) -> str:
        return _clean_number(self.cleaned_data.get("kk_number") or "", "Nomor KK")


class CorrectionForm(EventForm, ResidentDataForm):
    """Corrected data of a resident, with the reason (kept in the correction event)."""

    event_date = forms.DateField(label="Tanggal pembetulan", widget=_date_input())
    reason = forms.CharField(
        label="Alasan pembetulan",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Misalnya: salah ketik nama, sesuai KK terbaru.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("event_date", timezone.localdate())
        super().__init__(*args, **kwargs)

    def changes(self) -> dict[str, Any]:
        values = {f: self.cleaned_data[f] for f in (*IDENTITY_FIELDS, *ATTRIBUTE_FORM_FIELDS)}
        values["birth_place"] = (values["birth_place"] or "").strip()
        values["phone"] = (values["phone"] or "").strip()
        for part in ADDRESS_FIELDS:
            values[part] = (self.cleaned_data.get(part) or "").strip()
        return values


class DeathForm(EventForm):
    death_date = forms.DateField(label="Tanggal meninggal", widget=_date_input())
    place = forms.CharField(label="Tempat meninggal", max_length=150, required=False)
    cause = forms.CharField(label="Sebab kematian", max_length=150, required=False)

    field_order = ["death_date", "place", "cause"]


class MoveOutForm(EventForm):
    move_date = forms.DateField(label="Tanggal pindah", widget=_date_input())
    destination = forms.CharField(label="Alamat tujuan pindah", max_length=255)
    reason = forms.CharField(label="Alasan pindah", max_length=255, required=False)

    field_order = ["move_date", "destination", "reason"]


class FamilyChangeForm(EventForm):
    """Move a resident to another family of the village (by KK number), or out of any KK."""

    kk_number = forms.CharField(
        label="Nomor KK tujuan",
        max_length=24,
        required=False,
        help_text="Kosongkan untuk mengeluarkan dari KK (belum masuk KK mana pun).",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    relation = _coded("kk_level", "Hubungan dalam keluarga baru", initial=4)
    change_date = forms.DateField(label="Tanggal perubahan", widget=_date_input())
    reason = forms.CharField(label="Alasan", max_length=255, required=False)

    field_order = ["kk_number", "relation", "change_date", "reason"]

    def clean_kk_number(self) -> str:
        return _clean_number(self.cleaned_data.get("kk_number") or "", "Nomor KK")
