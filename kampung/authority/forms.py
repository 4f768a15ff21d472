"""Forms of the delegation register. They parse and check input and say in Indonesian what
to fix; the register services enforce the legal rules again when they write."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import slugify

from kampung.accounts.roles import Role
from kampung.authority.acts import all_acts, all_families
from kampung.authority.models import Delegation, DelegationKind, Instrument, InstrumentKind, TargetScope
from kampung.regions.models import Region

MAX_FILE_BYTES = 5 * 1024 * 1024
EARLIEST = dt.date(1950, 1, 1)
LATEST = dt.date(2100, 12, 31)
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
_AMOUNT = re.compile(r"^\d{1,14}(\.\d{1,2})?$")

ROLE_CHOICES = [("", "— pilih peran —"), *[(v, label) for v, label in Role.choices if v != Role.RESIDENT]]
REQUIRED = "Wajib diisi."


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DayField(forms.DateField):
    """A date within a sensible range; a typo such as year 20225 gets a clear message."""

    widget = DateInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_FORMATS)
        messages = {"required": REQUIRED, "invalid": "Tulis tanggal yang sah, misalnya 2025-01-31."}
        messages.update(kwargs.pop("error_messages", {}))
        super().__init__(error_messages=messages, **kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        day: dt.date | None = super().to_python(value)
        if day is not None and not EARLIEST <= day <= LATEST:
            raise forms.ValidationError("Tanggal harus antara tahun 1950 dan 2100.")
        return day


class RupiahField(forms.Field):
    """An amount in Rupiah as people write it: ``50000000``, ``50.000.000``, ``Rp 50.000.000,00``."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value: Any) -> Decimal | None:
        text = str(value or "").strip()
        if not text:
            return None
        if len(text) > 30:
            raise forms.ValidationError("Tulis nilai dalam Rupiah, misalnya 50.000.000 (tanpa huruf).")
        text = re.sub(r"^rp\.?", "", text, flags=re.IGNORECASE).replace(" ", "")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        elif re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
            text = text.replace(".", "")
        if not _AMOUNT.match(text):
            raise forms.ValidationError("Tulis nilai dalam Rupiah, misalnya 50.000.000 (tanpa huruf).")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise forms.ValidationError("Tulis nilai dalam Rupiah, misalnya 50.000.000.") from exc
        if amount <= 0:
            raise forms.ValidationError("Batas nilai harus lebih dari nol, atau kosongkan bila tanpa batas.")
        return amount


class RegionCodeField(forms.CharField):
    """A Kemendagri region code inside one regency (``35.10.15.2004``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 13)
        kwargs.setdefault("error_messages", {"required": REQUIRED})
        super().__init__(**kwargs)
        self.regions: dict[str, Region] = {}
        self.regency_name = ""

    def clean(self, value: Any) -> Region:
        code = str(super().clean(value) or "").strip()
        region = self.regions.get(code)
        if region is None:
            raise forms.ValidationError(
                f"Kode wilayah '{code}' tidak dikenal di {self.regency_name}. "
                "Tulis kode Kemendagri, misalnya 35.10.15.2004 untuk desa atau 35.10.15 untuk kecamatan."
            )
        return region


class RegisterFilterForm(forms.Form):
    """Filters of the register; values that do not parse are simply not applied."""

    q = forms.CharField(label="Cari", required=False, max_length=80)
    status = forms.ChoiceField(
        label="Status pelimpahan",
        required=False,
        choices=[
            ("", "Semua"),
            ("berlaku", "Berlaku"),
            ("belum", "Belum berlaku"),
            ("berakhir", "Berakhir"),
            ("dicabut", "Dicabut"),
        ],
    )

    def filters(self) -> dict[str, str]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"search": (data.get("q") or "").strip(), "status": data.get("status") or ""}


class InstrumentForm(forms.Form):
    kind = forms.ChoiceField(
        label="Jenis instrumen",
        choices=[("", "— pilih jenis —"), *InstrumentKind.choices],
        error_messages={"required": REQUIRED, "invalid_choice": "Pilih jenis instrumen dari daftar."},
    )
    number = forms.CharField(
        label="Nomor",
        max_length=60,
        help_text="Nomor seperti tertulis pada instrumen, misalnya 12 atau 188/45/KEP/429.011/2017.",
        error_messages={"required": REQUIRED, "max_length": "Nomor paling panjang 60 karakter."},
    )
    date = DayField(label="Tanggal penetapan")
    title = forms.CharField(
        label="Judul/tentang",
        max_length=255,
        error_messages={"required": REQUIRED, "max_length": "Judul paling panjang 255 karakter."},
    )
    issuer_name = forms.CharField(
        label="Pejabat penetap", max_length=150, required=False, help_text="Misalnya: Bupati Banyuwangi."
    )
    file = forms.FileField(
        label="Berkas bertanda tangan (PDF)",
        required=False,
        help_text="Opsional. Hanya PDF, paling besar 5 MB.",
        error_messages={"invalid": "Berkas tidak dapat dibaca; unggah ulang.", "empty": "Berkas kosong."},
    )

    def clean_file(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("file")
        if not upload:
            return None
        if upload.size is not None and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError("Berkas terlalu besar: paling besar 5 MB.")
        upload.seek(0)
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError("Berkas harus PDF (isi berkas bukan PDF).")
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload and data.get("number") and data.get("date"):
            # A short readable stored name (the uploaded name may be long or odd) with a random
            # part, so no one can guess where a file is kept (kampung.core.uploads).
            stem = slugify(f"{data.get('kind', '')}-{data['number']}-{data['date'].year}")[:60] or "instrumen"
            upload.name = f"{stem}-{secrets.token_hex(8)}.pdf"
        return data


class DelegationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        acts = ", ".join(obj.acts[:3]) + ("…" if len(obj.acts) > 3 else "")
        return (
            f"#{obj.pk} {obj.get_kind_display()} {Role(obj.from_role).label} {obj.from_region_id} "
            f"→ {Role(obj.to_role).label} {obj.to_region_id} ({acts}) — {obj.instrument}"
        )


def act_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Families first (every member, present and future), then each registered act."""
    families = [(f.code, f"{f.code} — {f.description} (semua jenis)") for f in all_families()]
    acts = [(a.code, f"{a.code} — {a.description}") for a in all_acts()]
    return [("Keluarga tindakan", families), ("Tindakan", acts)]


class DelegationForm(forms.Form):
    kind = forms.ChoiceField(
        label="Jenis pelimpahan",
        choices=DelegationKind.choices,
        widget=forms.RadioSelect,
        help_text="Delegasi: penerima bertindak atas namanya sendiri dan bertanggung jawab. "
        "Mandat: penerima bertindak a.n. pemberi, yang tetap bertanggung jawab.",
        error_messages={"required": REQUIRED, "invalid_choice": "Pilih delegasi atau mandat."},
    )
    from_role = forms.ChoiceField(
        label="Peran pemberi",
        choices=ROLE_CHOICES,
        error_messages={"required": REQUIRED, "invalid_choice": "Pilih peran dari daftar."},
    )
    from_region = RegionCodeField(label="Kode wilayah pemberi", help_text="Misalnya 35.10 untuk bupati.")
    to_role = forms.ChoiceField(
        label="Peran penerima",
        choices=ROLE_CHOICES,
        error_messages={"required": REQUIRED, "invalid_choice": "Pilih peran dari daftar."},
    )
    to_region = RegionCodeField(
        label="Kode wilayah penerima",
        help_text="Wilayah penerima, atau wilayah yang desa/kecamatannya menerima (lihat cakupan).",
    )
    to_scope = forms.ChoiceField(
        label="Cakupan penerima",
        choices=TargetScope.choices,
        initial=TargetScope.REGION,
        widget=forms.RadioSelect,
        error_messages={"required": REQUIRED, "invalid_choice": "Pilih cakupan dari daftar."},
    )
    acts = forms.MultipleChoiceField(
        label="Tindakan yang dilimpahkan",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Pilih paling sedikit satu tindakan yang dilimpahkan.",
            "invalid_choice": "Tindakan '%(value)s' tidak dikenal.",
        },
    )
    amount_ceiling = RupiahField(
        label="Batas nilai (Rp)",
        required=False,
        help_text="Opsional. Perkara di atas nilai ini diteruskan ke pemegang kewenangan.",
    )
    valid_from = DayField(label="Berlaku mulai")
    valid_until = DayField(
        label="Berlaku sampai", required=False, help_text="Kosongkan bila tanpa batas waktu."
    )
    parent = DelegationChoiceField(
        label="Pelimpahan asal (untuk rantai)",
        queryset=Delegation.objects.none(),
        required=False,
        empty_label="— tidak ada: pemberi memegang kewenangan menurut hukum —",
        help_text="Isi bila pemberi menerima kewenangan ini dari pelimpahan lain (misalnya mandat "
        "kepala desa kepada sekretaris atas kewenangan yang didelegasikan bupati).",
        error_messages={"invalid_choice": "Pilih pelimpahan asal dari daftar."},
    )

    def __init__(
        self,
        *args: Any,
        regions: Iterable[Region],
        regency: Region,
        parents: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        by_code = {r.code: r for r in regions}
        for name in ("from_region", "to_region"):
            region_field = self.fields[name]
            assert isinstance(region_field, RegionCodeField)
            region_field.regions = by_code
            region_field.regency_name = str(regency)
            region_field.widget.attrs.update({"list": "kode-wilayah", "autocomplete": "off"})
        acts_field = self.fields["acts"]
        assert isinstance(acts_field, forms.MultipleChoiceField)
        acts_field.choices = act_choices()
        parent_field = self.fields["parent"]
        assert isinstance(parent_field, forms.ModelChoiceField)
        parent_field.queryset = parents

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", "Tanggal akhir tidak boleh sebelum tanggal mulai.")
        return data


class RevokeForm(forms.Form):
    revoked_on = DayField(label="Dicabut mulai tanggal")
    reason = forms.CharField(
        label="Alasan pencabutan",
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Alasan pencabutan wajib diisi.",
            "max_length": "Alasan paling panjang 255 karakter.",
        },
    )
    revoking_instrument = forms.ModelChoiceField(
        label="Instrumen pencabut",
        queryset=Instrument.objects.none(),
        required=False,
        empty_label="— tidak ada —",
        help_text="Opsional: catat dulu instrumen pencabutnya bila belum ada di daftar.",
        error_messages={"invalid_choice": "Pilih instrumen dari daftar."},
    )

    def __init__(self, *args: Any, instruments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["revoking_instrument"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = instruments


class DecideForm(forms.Form):
    """The holder's decision on a routed matter; returning it needs a reason."""

    decision = forms.ChoiceField(
        choices=[("setujui", "Setujui"), ("kembalikan", "Kembalikan")],
        error_messages={
            "required": "Pilih Setujui atau Kembalikan.",
            "invalid_choice": "Pilih Setujui atau Kembalikan.",
        },
    )
    note = forms.CharField(required=False, max_length=1000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "kembalikan" and not (data.get("note") or "").strip():
            self.add_error(
                "note", "Tuliskan alasan pengembalian agar pengirim tahu apa yang harus diperbaiki."
            )
        return data

    @property
    def approve(self) -> bool:
        return self.cleaned_data.get("decision") == "setujui"


class VillageMandateForm(InstrumentForm):
    """The head's own SK and the mandat under it, in one form."""

    to_role = forms.ChoiceField(
        label="Kepada",
        error_messages={"required": REQUIRED, "invalid_choice": "Pilih perangkat dari daftar."},
    )
    acts = forms.MultipleChoiceField(
        label="Tindakan yang dimandatkan",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Pilih paling sedikit satu tindakan.",
            "invalid_choice": "Pilih tindakan dari daftar: hanya yang Anda pegang sendiri.",
        },
    )
    valid_from = DayField(label="Berlaku mulai")
    valid_until = DayField(label="Berlaku sampai", required=False)

    def __init__(
        self, *args: Any, acts: list[tuple[str, str]], recipients: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["kind"]
        del self.fields["issuer_name"]
        self.fields["title"].initial = "Pemberian Mandat kepada Perangkat Desa"
        role_field = self.fields["to_role"]
        act_field = self.fields["acts"]
        assert isinstance(role_field, forms.ChoiceField) and isinstance(act_field, forms.MultipleChoiceField)
        role_field.choices = [("", "— pilih perangkat —"), *recipients]
        act_field.choices = acts

    def clean(self) -> dict[str, Any]:
        self.cleaned_data["kind"] = "sk_kades"
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", "Tanggal akhir tidak boleh sebelum tanggal mulai.")
        return data
