"""Forms of letter requests, built from the letter type (its people, fields and documents)."""

from __future__ import annotations

from typing import Any

from django import forms

from kampung.core.errors import KampungError
from kampung.letters.models import LetterType
from kampung.letters.services_requests import (
    OUTSIDER_FULL_KEYS,
    OUTSIDER_LABELS,
    SEX_CHOICES,
    SOURCE_FIELDS,
    SOURCE_OUTSIDE_FULL,
    SOURCE_OUTSIDE_SHORT,
    SOURCE_VILLAGE,
    PartyInput,
    RequestInput,
)
from kampung.population.models import Resident
from kampung.regions.models import Region

SUBJECT = "subjek"


def _outsider_keys(sources: list[str]) -> tuple[str, ...]:
    if SOURCE_OUTSIDE_FULL in sources:
        return OUTSIDER_FULL_KEYS
    if SOURCE_OUTSIDE_SHORT in sources:
        return ("nama", "nik")
    return ()


def people_of(letter_type: LetterType) -> list[tuple[str, str, list[str]]]:
    """(key, label, sources) of every person the form asks for, the subject first."""
    rules = letter_type.subject_rules or {}
    people = [(SUBJECT, letter_type.subject_label, list(rules.get("sumber") or [SOURCE_VILLAGE]))]
    for spec in letter_type.other_parties:
        sources = [str(s) for s in spec.get("sumber") or []]
        if sources != [SOURCE_FIELDS]:
            people.append((str(spec["key"]), str(spec.get("label") or spec["key"]), sources))
    return people


# The kiosk's on-screen pads (kampung/kiosk/static/kiosk/kiosk.js): no system keyboard.
KIOSK_DIGITS = {"data-pad": "angka", "inputmode": "none", "autocomplete": "off"}
KIOSK_TEXT = {"data-pad": "huruf", "inputmode": "none", "autocomplete": "off"}


def _field_for(spec: dict[str, Any], *, kiosk: bool = False) -> forms.Field:
    label = str(spec.get("label") or spec["key"])
    kind = str(spec.get("type", "teks"))
    required = bool(spec.get("required"))
    text = KIOSK_TEXT if kiosk else {}
    # The service checks again (and says what is wrong in Indonesian); the form keeps input.
    if kind == "paragraf":
        return forms.CharField(
            label=label,
            required=required,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3, **text}),
        )
    if kind == "tanggal":
        return forms.CharField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))
    if kind == "jam":
        return forms.CharField(
            label=label,
            required=required,
            max_length=5,
            widget=forms.TextInput(attrs={"placeholder": "09.30", **text}),
        )
    if kind in ("angka", "uang"):
        return forms.CharField(
            label=label,
            required=required,
            max_length=20,
            widget=forms.TextInput(attrs=KIOSK_DIGITS if kiosk else {"inputmode": "numeric"}),
        )
    if kind == "pilihan" and spec.get("options"):
        choices = [("", "— pilih —")] + [(str(o), str(o)) for o in spec["options"]]
        return forms.ChoiceField(label=label, required=required, choices=choices)
    return forms.CharField(label=label, required=required, max_length=200, widget=forms.TextInput(attrs=text))


class RequestForm(forms.Form):
    """The request form of one type. ``counter``: the operator may tick documents as seen.
    ``kiosk``: the touch kiosk's form: no upload fields (the kiosk has no scanner; the
    originals are shown at the counter) and every typed input opens an on-screen pad."""

    def __init__(
        self, *args: Any, letter_type: LetterType, counter: bool, kiosk: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.letter_type = letter_type
        self.counter = counter
        self.kiosk = kiosk
        digits = KIOSK_DIGITS if kiosk else {"inputmode": "numeric"}
        text = KIOSK_TEXT if kiosk else {}
        self.people: list[dict[str, Any]] = []
        for key, label, sources in people_of(letter_type):
            names = []
            in_register = SOURCE_VILLAGE in sources
            if in_register:
                help_text = "NIK penduduk desa ini (16 angka)."
                if key == SUBJECT:
                    help_text += " Kosongkan bila suratnya tentang pemohon sendiri."
                self.fields[f"{key}__nik_register"] = forms.CharField(
                    label=f"NIK {label}",
                    required=False,
                    max_length=16,
                    help_text=help_text,
                    widget=forms.TextInput(attrs=digits),
                )
                names.append(f"{key}__nik_register")
            for part in _outsider_keys(sources):
                name = f"{key}__{part}"
                if part == "jenis_kelamin":
                    self.fields[name] = forms.ChoiceField(
                        label=f"{label}: jenis kelamin",
                        required=False,
                        choices=[("", "— pilih —")] + [(s, s) for s in SEX_CHOICES],
                    )
                elif part == "tanggal_lahir":
                    self.fields[name] = forms.CharField(
                        label=f"{label}: tanggal lahir",
                        required=False,
                        widget=forms.DateInput(attrs={"type": "date"}),
                    )
                else:
                    self.fields[name] = forms.CharField(
                        label=f"{label}: {OUTSIDER_LABELS[part]}",
                        required=False,
                        max_length=16 if kiosk and part == "nik" else 200,
                        widget=forms.TextInput(attrs=digits if part == "nik" else text),
                    )
                names.append(name)
            self.people.append(
                {
                    "key": key,
                    "label": label,
                    "in_register": in_register,
                    "outsider": bool(_outsider_keys(sources)),
                    "names": names,
                }
            )
        self.extra_names: list[str] = []
        for spec in letter_type.extra_fields:
            name = f"isian__{spec['key']}"
            self.fields[name] = _field_for(spec, kiosk=kiosk)
            self.extra_names.append(name)
        if "keperluan" not in letter_type.field_map():
            self.fields["keperluan"] = forms.CharField(
                label="Keperluan",
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2, **text}),
                help_text="Untuk apa surat ini dipakai.",
            )
        self.requirement_rows: list[dict[str, Any]] = []
        for requirement in letter_type.requirements.all():
            row: dict[str, Any] = {"requirement": requirement, "file": "", "seen": ""}
            if not kiosk:
                self.fields[f"berkas__{requirement.pk}"] = forms.FileField(
                    label=requirement.name, required=False, help_text="PDF, JPEG atau PNG, paling besar 5 MB."
                )
                row["file"] = f"berkas__{requirement.pk}"
            if counter:
                self.fields[f"dilihat__{requirement.pk}"] = forms.BooleanField(
                    label="Dilihat di loket", required=False
                )
                row["seen"] = f"dilihat__{requirement.pk}"
            self.requirement_rows.append(row)

    def bound_people(self) -> list[dict[str, Any]]:
        return [{**p, "fields": [self[n] for n in p["names"]]} for p in self.people]

    def bound_extras(self) -> list[Any]:
        return [self[n] for n in self.extra_names]

    def bound_requirements(self) -> list[dict[str, Any]]:
        return [
            {
                "requirement": r["requirement"],
                "file": self[r["file"]] if r["file"] else None,
                "seen": self[r["seen"]] if r["seen"] else None,
            }
            for r in self.requirement_rows
        ]

    def to_input(self, *, requester: Resident, village: Region, lookup: Any) -> RequestInput:
        """The service's input; ``lookup(nik)`` finds a resident the actor may pick, or None."""
        data = self.cleaned_data
        parties: dict[str, PartyInput] = {}
        subject: PartyInput | None = None
        for person in self.people:
            key = person["key"]
            nik = str(data.get(f"{key}__nik_register") or "").strip()
            typed = {
                n.split("__", 1)[1]: str(data.get(n) or "")
                for n in person["names"]
                if not n.endswith("__nik_register")
            }
            if nik:
                if not (len(nik) == 16 and nik.isdigit()):
                    raise KampungError(f"NIK {person['label']} harus 16 angka.")
                resident = lookup(nik)
                if resident is None:
                    raise KampungError(
                        f"NIK {person['label']} tidak ditemukan di buku induk {village} (atau tidak boleh Anda pilih)."
                    )
                party = PartyInput(resident=resident)
            else:
                party = PartyInput(data=typed)
            if key == SUBJECT:
                subject = party if not party.empty else None
            else:
                parties[key] = party
        uploads = {
            r["requirement"].pk: data[r["file"]]
            for r in self.requirement_rows
            if r["file"] and data.get(r["file"])
        }
        seen = {r["requirement"].pk for r in self.requirement_rows if r["seen"] and data.get(r["seen"])}
        return RequestInput(
            letter_type=self.letter_type,
            requester=requester,
            subject=subject,
            parties=parties,
            fields={n.split("__", 1)[1]: data.get(n) or "" for n in self.extra_names},
            purpose=str(data.get("keperluan") or ""),
            uploads=uploads,
            seen_at_counter=seen,
        )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Alasan penolakan", min_length=5, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label="Alasan pembatalan", required=False, max_length=500)
