"""Forms of registration, the survey (built from the programme's attributes), cancellation
and the Musdes. Rules live in the services; these forms read input and show each field's
error beside it."""

from __future__ import annotations

from typing import Any

from django import forms

from kampung.assistance.attributes import Attribute, AttrType, clean_value
from kampung.assistance.models import DeliberationKind, PhotoKind
from kampung.assistance.photos import SURVEY_KINDS
from kampung.core.errors import KampungError

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BOOL_CHOICES = (("ya", "Ya"), ("tidak", "Tidak"))


class RegisterForm(forms.Form):
    family = forms.IntegerField(widget=forms.HiddenInput)
    beneficiary = forms.IntegerField(widget=forms.HiddenInput, required=False)
    registered_on = forms.DateField(label="Tanggal daftar", widget=DATE)
    reason = forms.CharField(
        label="Alasan / keterangan",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Misalnya: atap bocor, dinding gedek, usulan RT.",
    )


class ApplyForm(forms.Form):
    reason = forms.CharField(
        label="Ceritakan kondisi rumah atau keluarga Anda",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    agree = forms.BooleanField(
        label="Saya menyatakan keterangan ini benar dan bersedia disurvei petugas desa.",
        required=True,
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Alasan pembatalan", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeliberationForm(forms.Form):
    kind = forms.ChoiceField(label="Jenis musyawarah", choices=DeliberationKind.choices)
    held_on = forms.DateField(label="Tanggal", widget=DATE)
    place = forms.CharField(label="Tempat", max_length=160)
    minutes_number = forms.CharField(label="Nomor berita acara", max_length=80)
    attendees = forms.IntegerField(label="Jumlah peserta", min_value=1, max_value=10000)
    chair_name = forms.CharField(label="Pimpinan musyawarah", max_length=150)
    notes = forms.CharField(
        label="Kesepakatan / catatan", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def _photo_widget() -> forms.ClearableFileInput:
    # The phone opens its camera (rear) straight from the field.
    return forms.ClearableFileInput(
        attrs={"accept": "image/*", "capture": "environment", "class": "photo-input"}
    )


class SurveyForm(forms.Form):
    """The survey of one case: one field per attribute the programme asks, the date, notes,
    the location the browser sends (hidden, filled by ``core/geolocate.js``) and a camera
    field per photo kind."""

    surveyed_on = forms.DateField(label="Tanggal survei", widget=DATE)
    notes = forms.CharField(label="Catatan petugas", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)
    location_source = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        attributes: list[Attribute],
        photo_kinds: tuple[str, ...] = SURVEY_KINDS,
        this_year: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.attributes = attributes
        self.this_year = this_year
        self.photo_kinds = photo_kinds
        for attribute in attributes:
            self.fields[attribute.code] = _field(attribute)
        for kind in photo_kinds:
            self.fields[f"photo_{kind}"] = forms.FileField(
                label=f"Foto {PhotoKind(kind).label.lower()}", required=False, widget=_photo_widget()
            )

    @property
    def submitting(self) -> bool:
        return bool(self.data.get("submit"))

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[a.code] for a in self.attributes]

    def photo_fields(self) -> list[tuple[str, forms.BoundField]]:
        return [(kind, self[f"photo_{kind}"]) for kind in self.photo_kinds]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for attribute in self.attributes:
            raw = self.data.get(attribute.code, "")
            if not self.submitting and str(raw).strip() == "":
                continue
            try:
                clean_value(attribute, raw, this_year=self.this_year)
            except KampungError as exc:
                self.add_error(attribute.code, exc.message)
        return cleaned

    def answers(self) -> dict[str, Any]:
        return {a.code: self.data.get(a.code, "") for a in self.attributes}

    def photos(self) -> list[tuple[str, Any]]:
        return [
            (kind, self.files.get(f"photo_{kind}"))
            for kind in self.photo_kinds
            if self.files.get(f"photo_{kind}")
        ]


def _field(attribute: Attribute) -> forms.Field:
    label = attribute.label + (f" ({attribute.unit})" if attribute.unit and attribute.unit != "Rp" else "")
    if attribute.type == AttrType.CHOICE:
        return forms.ChoiceField(
            label=label,
            choices=list(attribute.choices),
            required=False,
            widget=forms.RadioSelect(attrs={"class": "choice"}),
            help_text=attribute.help,
        )
    if attribute.type == AttrType.BOOL:
        return forms.ChoiceField(
            label=label,
            choices=BOOL_CHOICES,
            required=False,
            widget=forms.RadioSelect(attrs={"class": "choice yes-no"}),
            help_text=attribute.help,
        )
    inputmode = "decimal" if attribute.type == AttrType.NUMBER else "numeric"
    return forms.CharField(
        label=label if attribute.unit != "Rp" else f"{attribute.label} (Rp)",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": inputmode, "autocomplete": "off"}),
        help_text=attribute.help,
    )


def initial_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """Stored answers as the form shows them (True → "ya", None → "")."""
    out: dict[str, Any] = {}
    for code, value in answers.items():
        if value is True:
            out[code] = "ya"
        elif value is False:
            out[code] = "tidak"
        elif value is None:
            out[code] = ""
        else:
            out[code] = str(value)
    return out


def order_from_post(data: Any, case_ids: list[int]) -> tuple[list[int], list[str]]:
    """The Musdes order from the ``urutan_<id>`` fields (blank: not prioritised): ids sorted by
    the number given; errors for numbers that do not read or repeat."""
    ranked: list[tuple[int, int]] = []
    errors: list[str] = []
    seen: set[int] = set()
    for pk in case_ids:
        raw = str(data.get(f"urutan_{pk}", "")).strip()
        if not raw:
            continue
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            errors.append(f"Urutan “{raw[:10]}” bukan bilangan bulat positif.")
            continue
        number = int(raw)
        if number in seen:
            errors.append(f"Urutan {number} dipakai lebih dari sekali.")
        seen.add(number)
        ranked.append((number, pk))
    ranked.sort()
    return [pk for _, pk in ranked], errors
