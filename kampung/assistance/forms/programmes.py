"""Forms of the regency's programme settings. They parse input; the rules are in
:mod:`kampung.assistance.services.programmes` (errors from there are added to the form)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from kampung.assistance.attributes import ATTRIBUTES
from kampung.assistance.models import CriterionKind, Cycle, FundingKind, Operator, ProgrammeKind
from kampung.assistance.services.programmes import AidData, CriterionData, ProgrammeData, YearData


class ProgrammeForm(forms.Form):
    code = forms.SlugField(
        label="Kode program",
        max_length=30,
        help_text="Huruf kecil, angka, tanda minus; dipakai di nomor kasus dan kode kewenangan.",
    )
    name = forms.CharField(label="Nama program", max_length=160)
    kind = forms.ChoiceField(label="Jenis", choices=ProgrammeKind.choices)
    description = forms.CharField(label="Uraian", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    funding_kind = forms.ChoiceField(label="Sumber pendanaan", choices=FundingKind.choices)
    activity_code = forms.CharField(
        label="Kode kegiatan APBDes", max_length=12, required=False, help_text="Misalnya 02.04.01."
    )
    account_code = forms.CharField(
        label="Kode rekening belanja", max_length=16, required=False, help_text="Misalnya 5.2.7.03."
    )
    cycle = forms.ChoiceField(label="Siklus", choices=Cycle.choices)
    amount = forms.DecimalField(
        label="Bantuan per penerima (Rp; per bulan untuk siklus bulanan)",
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
    )
    quota_per_village = forms.IntegerField(label="Kuota per desa per tahun", min_value=0, max_value=100000)
    months = forms.IntegerField(label="Jumlah bulan per tahun", min_value=1, max_value=12, initial=12)
    dd_cap_percent = forms.DecimalField(
        label="Batas persen dari Dana Desa", max_digits=5, decimal_places=2, required=False
    )
    min_score = forms.DecimalField(label="Skor minimum", max_digits=7, decimal_places=2, initial=0)
    aid_exclusion_years = forms.IntegerField(
        label="Larangan bantuan ulang (tahun)",
        min_value=0,
        max_value=50,
        initial=0,
        help_text="BSPS: 10 tahun. 0 berarti tidak ada larangan.",
    )
    publish_names = forms.BooleanField(label="Umumkan nama penerima di halaman publik", required=False)
    active = forms.BooleanField(label="Aktif", required=False, initial=True)

    def __init__(self, *args: Any, code_locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if code_locked:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = "Tidak dapat diubah: program ini sudah memiliki kasus."

    def data_object(self) -> ProgrammeData:
        cd = self.cleaned_data
        return ProgrammeData(
            name=cd["name"],
            kind=cd["kind"],
            funding_kind=cd["funding_kind"],
            cycle=cd["cycle"],
            amount=cd["amount"],
            description=cd["description"],
            activity_code=cd["activity_code"],
            account_code=cd["account_code"],
            quota_per_village=cd["quota_per_village"],
            months=cd["months"],
            dd_cap_percent=cd["dd_cap_percent"],
            min_score=cd["min_score"],
            aid_exclusion_years=cd["aid_exclusion_years"],
            publish_names=cd["publish_names"],
            active=cd["active"],
        )


def _attribute_choices() -> list[tuple[str, str]]:
    return [(code, f"{a.label} ({code})") for code, a in ATTRIBUTES.items()]


class CriterionForm(forms.Form):
    code = forms.CharField(label="Kode", max_length=20)
    group = forms.CharField(label="Kelompok", max_length=60, required=False)
    description = forms.CharField(label="Uraian", max_length=300)
    kind = forms.ChoiceField(label="Jenis", choices=CriterionKind.choices)
    attribute = forms.ChoiceField(label="Data survei", choices=())
    operator = forms.ChoiceField(label="Syarat", choices=Operator.choices)
    value = forms.CharField(
        label="Nilai",
        max_length=200,
        required=False,
        help_text="Angka untuk kurang dari/lebih dari; kode pilihan dipisah koma untuk “salah satu dari”.",
    )
    weight = forms.DecimalField(
        label="Bobot", max_digits=6, decimal_places=2, min_value=Decimal(0), initial=0
    )
    order = forms.IntegerField(label="Urutan", min_value=0, max_value=32000, initial=0)
    active = forms.BooleanField(label="Aktif", required=False, initial=True)
    source = forms.CharField(label="Sumber", max_length=400, required=False)

    def __init__(self, *args: Any, code_locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attribute"].choices = _attribute_choices()  # type: ignore[attr-defined]
        if code_locked:
            self.fields["code"].disabled = True

    def data_object(self) -> CriterionData:
        cd = self.cleaned_data
        return CriterionData(
            code=cd["code"],
            description=cd["description"],
            kind=cd["kind"],
            attribute=cd["attribute"],
            operator=cd["operator"],
            value=cd["value"],
            weight=cd["weight"],
            group=cd["group"],
            order=cd["order"],
            active=cd["active"],
            source=cd["source"],
        )


class YearForm(forms.Form):
    amount = forms.DecimalField(
        label="Bantuan per penerima (Rp; per bulan untuk siklus bulanan)",
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
    )
    quota_per_village = forms.IntegerField(label="Kuota per desa", min_value=0, max_value=100000)
    months = forms.IntegerField(label="Jumlah bulan", min_value=1, max_value=12)
    dd_cap_percent = forms.DecimalField(
        label="Batas persen dari Dana Desa", max_digits=5, decimal_places=2, required=False
    )
    budget_ceiling = forms.DecimalField(
        label="Pagu program kabupaten (Rp)",
        max_digits=18,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
        help_text="Untuk program APBD/APBN; kosongkan untuk program APBDes (dibatasi anggaran tiap desa).",
    )

    def data_object(self) -> YearData:
        cd = self.cleaned_data
        return YearData(
            amount=cd["amount"],
            quota_per_village=cd["quota_per_village"],
            months=cd["months"],
            dd_cap_percent=cd["dd_cap_percent"],
            budget_ceiling=cd["budget_ceiling"],
        )


class VillageQuotaForm(forms.Form):
    village = forms.ChoiceField(label="Desa/kelurahan", choices=())
    quota = forms.IntegerField(
        label="Kuota desa",
        min_value=0,
        max_value=100000,
        required=False,
        help_text="Kosongkan untuk kembali ke kuota per desa tahun ini.",
    )

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", "— pilih desa —"), *villages]  # type: ignore[attr-defined]


class AidForm(forms.Form):
    nik = forms.CharField(label="NIK", max_length=16, required=False)
    kk_number = forms.CharField(label="Nomor KK", max_length=16, required=False)
    name = forms.CharField(label="Nama", max_length=150)
    year = forms.IntegerField(label="Tahun bantuan", min_value=1950, max_value=2100)
    source = forms.CharField(
        label="Sumber bantuan", max_length=120, help_text="Misalnya BSPS Kementerian PUPR."
    )
    note = forms.CharField(label="Keterangan", max_length=300, required=False)

    def data_object(self) -> AidData:
        cd = self.cleaned_data
        return AidData(
            nik=cd["nik"],
            kk_number=cd["kk_number"],
            name=cd["name"],
            year=cd["year"],
            source=cd["source"],
            note=cd["note"],
        )


class UploadForm(forms.Form):
    file = forms.FileField(label="Berkas Excel (.xlsx)")
