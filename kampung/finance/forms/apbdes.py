"""Forms of the APBDes pages. They only parse input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms


def money_field(label: str, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=0, max_digits=18, decimal_places=2, required=required)


def set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class CreateForm(forms.Form):
    year = forms.IntegerField(label="Tahun anggaran", min_value=2000, max_value=2100)
    from_rkp = forms.BooleanField(label="Ambil kegiatan dari RKPDes", required=False, initial=True)


class RevenueForm(forms.Form):
    account_code = forms.ChoiceField(label="Rekening pendapatan")
    source_code = forms.ChoiceField(label="Sumber dana")
    description = forms.CharField(label="Uraian", max_length=255, required=False)
    amount = money_field("Anggaran (Rp)")

    def __init__(
        self, *args: Any, accounts: list[tuple[str, str]], sources: list[tuple[str, str]], **kw: Any
    ):
        super().__init__(*args, **kw)
        set_choices(self, "account_code", accounts)
        set_choices(self, "source_code", sources)


class FinancingForm(forms.Form):
    account_code = forms.ChoiceField(label="Rekening pembiayaan")
    source_code = forms.ChoiceField(label="Sumber dana (untuk SiLPA: sumber asalnya)", required=False)
    description = forms.CharField(label="Uraian", max_length=255, required=False)
    amount = money_field("Anggaran (Rp)")

    def __init__(
        self, *args: Any, accounts: list[tuple[str, str]], sources: list[tuple[str, str]], **kw: Any
    ):
        super().__init__(*args, **kw)
        set_choices(self, "account_code", accounts)
        set_choices(self, "source_code", [("", "— tanpa sumber —"), *sources])


class ActivityForm(forms.Form):
    activity_code = forms.ChoiceField(label="Kode kegiatan")
    name = forms.CharField(label="Nama kegiatan", max_length=400, required=False)
    location = forms.CharField(label="Lokasi", max_length=200, required=False)
    executor_name = forms.CharField(label="Pelaksana kegiatan", max_length=120, required=False)
    output_volume = forms.DecimalField(
        label="Target keluaran (volume)", min_value=0, max_digits=14, decimal_places=2, required=False
    )
    output_unit = forms.CharField(label="Target keluaran (satuan)", max_length=40, required=False)
    start_month = forms.IntegerField(label="Bulan mulai", min_value=1, max_value=12, initial=1)
    end_month = forms.IntegerField(label="Bulan selesai", min_value=1, max_value=12, initial=12)

    def __init__(self, *args: Any, codes: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        set_choices(self, "activity_code", codes)


class LineForm(forms.Form):
    account_code = forms.ChoiceField(label="Rekening belanja")
    source_code = forms.ChoiceField(label="Sumber dana")
    description = forms.CharField(label="Uraian", max_length=255)
    volume = forms.DecimalField(label="Volume", min_value=0, max_digits=14, decimal_places=2)
    unit = forms.CharField(label="Satuan", max_length=30, required=False)
    unit_price = money_field("Harga satuan (Rp)", required=False)
    unit_price_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, accounts: list[tuple[str, str]], sources: list[tuple[str, str]], **kw: Any
    ):
        super().__init__(*args, **kw)
        set_choices(self, "account_code", accounts)
        set_choices(self, "source_code", sources)
        self.fields["volume"].widget.attrs.update({"data-apbdes": "volume", "inputmode": "decimal"})
        self.fields["unit_price"].widget.attrs.update({"data-apbdes": "price", "inputmode": "decimal"})
        self.fields["unit"].widget.attrs.update({"data-apbdes": "unit"})
        self.fields["description"].widget.attrs.update({"data-apbdes": "description"})
        self.fields["account_code"].widget.attrs.update({"data-apbdes": "account"})
        self.fields["unit_price_id"].widget.attrs.update({"data-apbdes": "ssh-id"})


class DateInput(forms.DateInput):
    input_type = "date"


class AgreeForm(forms.Form):
    agreed_on = forms.DateField(label="Tanggal kesepakatan BPD", widget=DateInput)
    minutes_number = forms.CharField(label="Nomor berita acara BPD", max_length=80)


class SubmitForm(forms.Form):
    submitted_on = forms.DateField(label="Tanggal dikirim ke camat", widget=DateInput)


class EvaluateForm(forms.Form):
    decision = forms.ChoiceField(
        label="Hasil evaluasi",
        choices=[("setuju", "Disetujui"), ("kembali", "Dikembalikan untuk diperbaiki")],
    )
    notes = forms.CharField(
        label="Catatan", widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000
    )
    decided_on = forms.DateField(label="Tanggal evaluasi", widget=DateInput)


class EnactForm(forms.Form):
    perdes_number = forms.CharField(label="Nomor Perdes APBDes", max_length=60)
    perdes_date = forms.DateField(label="Tanggal Perdes", widget=DateInput)


class ElaborateForm(forms.Form):
    number = forms.CharField(label="Nomor Perkades Penjabaran", max_length=60)
    date = forms.DateField(label="Tanggal Perkades", widget=DateInput)


class RevisionForm(forms.Form):
    extraordinary = forms.BooleanField(
        label="Keadaan luar biasa (perubahan lebih dari sekali)", required=False
    )
    reason = forms.CharField(
        label="Alasan keadaan luar biasa",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
