"""Forms of the catalogue pages (validation of shape; rules live in the services)."""

from __future__ import annotations

from django import forms

from kampung.letters.models import PaperSize, RequirementDocument, SigningLevel
from kampung.letters.sandbox import MAX_TEMPLATE_CHARS
from kampung.letters.services import MAX_FEE, MAX_SLA_DAYS


class LetterTypeForm(forms.Form):
    name = forms.CharField(label="Nama jenis surat", max_length=150)
    classification_code = forms.CharField(
        label="Kode klasifikasi (Permendagri 83/2022)", max_length=20, help_text="Contoh: 400.12.2.1"
    )
    classification_old_code = forms.CharField(
        label="Kode klasifikasi lama (Permendagri 78/2012)", max_length=20, required=False
    )
    requirements = forms.ModelMultipleChoiceField(
        label="Dokumen persyaratan",
        queryset=RequirementDocument.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    extra_fields_text = forms.CharField(
        label="Isian tambahan",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 10, "class": "mono"}),
        help_text=(
            "Satu isian per baris: kunci | Label | tipe | wajib/opsional. Tipe: teks, paragraf, tanggal, "
            "jam, angka, uang, pilihan (pilihan dipisah koma setelah | kelima). Di templat: {{ isian.kunci }}."
        ),
    )
    sla_days = forms.IntegerField(
        label="Target waktu layanan (hari kerja)", min_value=1, max_value=MAX_SLA_DAYS
    )
    fee = forms.IntegerField(label="Biaya (Rp)", min_value=0, max_value=MAX_FEE, help_text="0 = gratis")
    validity = forms.CharField(
        label="Masa berlaku",
        max_length=20,
        help_text="Format ISO 8601: P1M = 1 bulan, P7D = 7 hari, P1Y = 1 tahun",
    )
    signing_level = forms.ChoiceField(label="Tingkat penanda tangan", choices=SigningLevel.choices)
    paper_size = forms.ChoiceField(label="Ukuran kertas", choices=PaperSize.choices)
    self_service = forms.BooleanField(label="Boleh diajukan warga sendiri (layanan mandiri)", required=False)
    active = forms.BooleanField(label="Aktif (dapat dipakai desa)", required=False)


class TemplateForm(forms.Form):
    body = forms.CharField(
        label="Templat isi surat",
        max_length=MAX_TEMPLATE_CHARS,
        widget=forms.Textarea(attrs={"rows": 28, "class": "mono", "spellcheck": "false"}),
    )


class VillageSettingForm(forms.Form):
    enabled = forms.BooleanField(label="Dilayani", required=False)
    sla_days = forms.IntegerField(
        label="Target desa (hari kerja)", min_value=1, max_value=MAX_SLA_DAYS, required=False
    )
