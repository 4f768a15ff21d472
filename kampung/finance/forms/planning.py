"""Forms of the planning pages: they parse input; the rules live in services/planning.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q

from kampung.core.formatting import MONTHS_ID
from kampung.finance.models import (
    ActivityCode,
    ActivityLevel,
    FundSource,
    GoalKind,
    Musdes,
    MusdesKind,
    Rpjmdes,
    RpjmGoal,
)
from kampung.finance.services.planning import (
    MAX_AMOUNT,
    MusdesInput,
    ProposalInput,
    RkpActivityInput,
    RpjmActivityInput,
    RpjmInput,
    activity_codes_for,
    default_proposal_year,
)
from kampung.regions.models import Region

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTHS = [(i, name) for i, name in enumerate(MONTHS_ID, 1)]


def _money_field(label: str, *, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_value=MAX_AMOUNT,
        max_digits=18,
        decimal_places=2,
    )


class CodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.short_name or obj.name}"[:160]


class RpjmForm(forms.Form):
    start_year = forms.IntegerField(label="Tahun awal", min_value=2000, max_value=2100)
    end_year = forms.IntegerField(
        label="Tahun akhir",
        min_value=2000,
        max_value=2100,
        help_text="Masa jabatan kepala desa: 6 tahun (UU 6/2014) atau 8 tahun (UU 3/2024).",
    )
    head_name = forms.CharField(label="Nama kepala desa", max_length=120, required=False)
    inaugurated_on = forms.DateField(label="Tanggal pelantikan", required=False, widget=DATE_WIDGET)
    vision = forms.CharField(
        label="Visi", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def for_plan(cls, rpjm: Rpjmdes, data: Any = None) -> RpjmForm:
        initial = {
            "start_year": rpjm.start_year,
            "end_year": rpjm.end_year,
            "head_name": rpjm.head_name,
            "inaugurated_on": rpjm.inaugurated_on,
            "vision": rpjm.vision,
        }
        return cls(data, initial=initial)

    def to_input(self) -> RpjmInput:
        d = self.cleaned_data
        return RpjmInput(
            start_year=d["start_year"],
            end_year=d["end_year"],
            head_name=d["head_name"],
            inaugurated_on=d["inaugurated_on"],
            vision=d["vision"],
        )


class GoalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_kind_display()} {obj.order}: {obj.text}"[:120]


class GoalForm(forms.Form):
    kind = forms.ChoiceField(label="Jenis", choices=GoalKind.choices)
    parent = GoalChoiceField(label="Induk", queryset=RpjmGoal.objects.none(), required=False)
    text = forms.CharField(label="Uraian", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, rpjm: Rpjmdes, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["parent"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            RpjmGoal.objects.filter(rpjm=rpjm).exclude(kind=GoalKind.TARGET).order_by("kind", "order")
        )


class RpjmActivityForm(forms.Form):
    activity_code = CodeChoiceField(label="Kegiatan (kode)", queryset=ActivityCode.objects.none())
    name = forms.CharField(
        label="Nama kegiatan",
        max_length=400,
        required=False,
        help_text="Kosongkan untuk memakai nama kode kegiatan.",
    )
    location = forms.CharField(label="Lokasi", max_length=200, required=False)
    output_target = forms.CharField(label="Sasaran keluaran", max_length=200, required=False)
    beneficiaries = forms.CharField(label="Penerima manfaat", max_length=200, required=False)
    source = forms.ModelChoiceField(
        label="Sumber dana (perkiraan)", queryset=FundSource.objects.all(), required=False
    )

    def __init__(self, *args: Any, rpjm: Rpjmdes, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.years = rpjm.years
        code_field = self.fields["activity_code"]
        assert isinstance(code_field, forms.ModelChoiceField)
        code_field.queryset = activity_codes_for(rpjm.village)
        for year in self.years:
            self.fields[f"amount_{year}"] = _money_field(f"Pagu {year}")

    def year_fields(self) -> list[Any]:
        return [self[f"amount_{y}"] for y in self.years]

    def to_input(self) -> RpjmActivityInput:
        d = self.cleaned_data
        return RpjmActivityInput(
            activity_code=d["activity_code"],
            name=d["name"],
            location=d["location"],
            output_target=d["output_target"],
            beneficiaries=d["beneficiaries"],
            amounts={y: d.get(f"amount_{y}") for y in self.years},
            source=d["source"],
        )


class PerdesForm(forms.Form):
    perdes_number = forms.CharField(label="Nomor Perdes", max_length=60)
    perdes_date = forms.DateField(label="Tanggal Perdes", widget=DATE_WIDGET)


class RkpCreateForm(forms.Form):
    year = forms.IntegerField(label="Tahun anggaran", min_value=2000, max_value=2100)


class RkpActivityForm(forms.Form):
    activity_code = CodeChoiceField(label="Kegiatan (kode)", queryset=ActivityCode.objects.none())
    name = forms.CharField(label="Nama kegiatan", max_length=400, required=False)
    location = forms.CharField(label="Lokasi", max_length=200, required=False)
    volume = forms.DecimalField(
        label="Volume", min_value=Decimal(0), max_digits=14, decimal_places=2, initial=0
    )
    unit = forms.CharField(label="Satuan", max_length=40, required=False)
    beneficiaries = forms.CharField(label="Penerima manfaat", max_length=200, required=False)
    executor = forms.CharField(label="Pelaksana kegiatan", max_length=120, required=False)
    amount = _money_field("Biaya (Rp)", required=True)
    source = forms.ModelChoiceField(label="Sumber dana", queryset=FundSource.objects.all())
    output_volume = forms.DecimalField(
        label="Target keluaran (volume)", min_value=Decimal(0), max_digits=14, decimal_places=2, initial=0
    )
    output_unit = forms.CharField(label="Target keluaran (satuan)", max_length=40, required=False)
    start_month = forms.TypedChoiceField(label="Bulan mulai", choices=MONTHS, coerce=int, initial=1)
    end_month = forms.TypedChoiceField(label="Bulan selesai", choices=MONTHS, coerce=int, initial=12)

    def __init__(self, *args: Any, village: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code_field = self.fields["activity_code"]
        assert isinstance(code_field, forms.ModelChoiceField)
        code_field.queryset = activity_codes_for(village)

    def to_input(self) -> RkpActivityInput:
        d = self.cleaned_data
        return RkpActivityInput(
            activity_code=d["activity_code"],
            source=d["source"],
            amount=d["amount"],
            name=d["name"],
            location=d["location"],
            volume=d["volume"],
            unit=d["unit"],
            beneficiaries=d["beneficiaries"],
            executor=d["executor"],
            output_volume=d["output_volume"],
            output_unit=d["output_unit"],
            start_month=d["start_month"],
            end_month=d["end_month"],
        )


class MusdesChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class RkpMusdesForm(forms.Form):
    musdes = MusdesChoiceField(label="Musdes", queryset=Musdes.objects.none(), required=False)

    def __init__(self, *args: Any, village: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["musdes"]
        assert isinstance(field, forms.ModelChoiceField)
        # Any Musdes id is accepted here; the service refuses another village's.
        field.queryset = Musdes.objects.all()
        self.village_musdes = Musdes.objects.filter(village=village).order_by("-held_on")


class MusdesForm(forms.Form):
    kind = forms.ChoiceField(label="Jenis", choices=MusdesKind.choices)
    title = forms.CharField(label="Judul", max_length=200)
    held_on = forms.DateField(label="Tanggal", widget=DATE_WIDGET)
    place = forms.CharField(label="Tempat", max_length=200, required=False)
    year = forms.IntegerField(
        label="Tahun anggaran yang dibahas", min_value=2000, max_value=2100, required=False
    )
    participant_count = forms.IntegerField(label="Jumlah peserta", min_value=0, max_value=100000, initial=0)
    participants = forms.CharField(
        label="Peserta (unsur/nama)",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Satu baris satu peserta, mis. 'BPD: Sutrisno'.",
    )
    summary = forms.CharField(
        label="Ringkasan hasil", required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    minutes = forms.FileField(
        label="Berita acara (PDF)", required=False, help_text="PDF, paling besar 10 MB."
    )

    @classmethod
    def for_musdes(cls, musdes: Musdes, data: Any = None, files: Any = None) -> MusdesForm:
        initial = {k: getattr(musdes, k) for k in MusdesInput.__dataclass_fields__}
        return cls(data, files, initial=initial)

    def to_input(self) -> MusdesInput:
        d = self.cleaned_data
        return MusdesInput(
            kind=d["kind"],
            title=d["title"],
            held_on=d["held_on"],
            place=d["place"],
            year=d["year"],
            participant_count=d["participant_count"],
            participants=d["participants"],
            summary=d["summary"],
        )


def proposal_codes(village: Region) -> Any:
    """Bidang and kegiatan a resident may name (optional): national and the regency's."""
    return ActivityCode.objects.filter(
        Q(regency__isnull=True) | Q(regency_id=village.regency_code),
        active=True,
        level__in=[ActivityLevel.BIDANG, ActivityLevel.KEGIATAN],
    ).order_by("code")


class ProposalForm(forms.Form):
    title = forms.CharField(
        label="Usulan kegiatan", max_length=200, help_text="Mis. 'Perbaikan jalan dusun Krajan'."
    )
    description = forms.CharField(
        label="Uraian dan alasan", max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    location = forms.CharField(label="Lokasi", max_length=200, required=False)
    activity_code = CodeChoiceField(
        label="Bidang/kegiatan (boleh dikosongkan)", queryset=ActivityCode.objects.none(), required=False
    )
    estimated_cost = _money_field("Perkiraan biaya (Rp, boleh dikosongkan)")
    year = forms.IntegerField(label="Untuk tahun anggaran", min_value=2000, max_value=2100)

    def __init__(self, *args: Any, village: Region, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("year", default_proposal_year())
        super().__init__(*args, **kwargs)
        field = self.fields["activity_code"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = proposal_codes(village)

    def to_input(self) -> ProposalInput:
        d = self.cleaned_data
        return ProposalInput(
            title=d["title"],
            description=d["description"],
            location=d["location"],
            activity_code=d["activity_code"],
            estimated_cost=d["estimated_cost"],
            year=d["year"],
        )


class CounterProposalForm(ProposalForm):
    nik = forms.RegexField(
        label="NIK pengusul", regex=r"^\d{16}$", error_messages={"invalid": "NIK harus 16 angka."}
    )
    field_order = ["nik"]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Keputusan Musdes", choices=[("terima", "Diterima"), ("tolak", "Tidak diterima")]
    )
    musdes = MusdesChoiceField(label="Diputuskan dalam Musdes", queryset=Musdes.objects.all(), required=False)
    note = forms.CharField(
        label="Catatan untuk pengusul",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ProposalToRkpForm(forms.Form):
    activity_code = CodeChoiceField(
        label="Kegiatan (kode)", queryset=ActivityCode.objects.none(), required=False
    )
    source = forms.ModelChoiceField(label="Sumber dana", queryset=FundSource.objects.all())
    amount = _money_field("Biaya (Rp)")

    def __init__(self, *args: Any, village: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["activity_code"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = activity_codes_for(village)
