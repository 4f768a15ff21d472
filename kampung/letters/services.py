"""Writes to the letter catalogue: the regency admin keeps the types and their templates; a
village's head or secretary switches types on or off and sets the village's service time.

Permendagri 2/2017 (SPM Desa) asks each service to publish its requirements, time and cost:
these are the catalogue's ``requirements``, ``sla_days`` and ``fee``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError, NotPermitted
from kampung.letters.default_templates import default_body
from kampung.letters.models import (
    FIELD_TYPES,
    ClassificationCode,
    LetterType,
    PaperSize,
    RequirementDocument,
    Scheme,
    SigningLevel,
    VillageLetterSetting,
    parse_duration,
)
from kampung.letters.rendering import sample_context
from kampung.letters.sandbox import validate_template
from kampung.regions.models import Region

CATALOGUE_EDITORS = (Role.ADMIN,)
VILLAGE_SETTING_EDITORS = (Role.HEAD, Role.SECRETARY)
MAX_SLA_DAYS = 60
MAX_FEE = 10_000_000
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


def _admin_region(actor: Any) -> str:
    scope = scope_for(actor)
    regions = scope.region_codes(*CATALOGUE_EDITORS)
    if not regions:
        raise NotPermitted("Hanya admin kabupaten yang dapat mengubah katalog surat.")
    return regions[0]


def fields_from_text(text: str) -> list[dict[str, Any]]:
    """Parse the edit form's field list: one field per line, ``kunci | Label | tipe | wajib``.

    ``tipe`` is one of :data:`FIELD_TYPES`; ``pilihan`` takes its options after a fifth bar,
    separated by commas. Raises KampungError naming the line at fault.
    """
    fields: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 3:
            raise KampungError(
                f"Isian baris {number}: tulis 'kunci | Label | tipe | wajib' (contoh: keperluan | Keperluan | paragraf | wajib)."
            )
        key, label, kind = parts[0], parts[1], parts[2].lower()
        required = len(parts) > 3 and parts[3].lower() in ("wajib", "ya", "y", "1", "*")
        options = [o.strip() for o in parts[4].split(",") if o.strip()] if len(parts) > 4 else []
        if not _KEY.match(key):
            raise KampungError(
                f"Isian baris {number}: kunci '{key}' hanya boleh huruf kecil, angka dan garis bawah, diawali huruf."
            )
        if key in seen:
            raise KampungError(f"Isian baris {number}: kunci '{key}' dipakai dua kali.")
        if not label or len(label) > 120:
            raise KampungError(f"Isian baris {number}: label wajib diisi (paling panjang 120 karakter).")
        if kind not in FIELD_TYPES:
            raise KampungError(
                f"Isian baris {number}: tipe '{kind}' tidak dikenal; pilih {', '.join(FIELD_TYPES)}."
            )
        if kind == "pilihan" and not options:
            raise KampungError(
                f"Isian baris {number}: tipe pilihan perlu daftar pilihan setelah tanda | kelima."
            )
        seen.add(key)
        group, _, short = label.rpartition(": ")
        fields.append(
            {
                "key": key,
                "label": short or label,
                "type": kind,
                "required": required,
                "group": group,
                "options": options,
            }
        )
    if len(fields) > 120:
        raise KampungError("Paling banyak 120 isian tambahan per jenis surat.")
    return fields


def fields_to_text(fields: Sequence[dict[str, Any]]) -> str:
    lines = []
    for f in fields:
        label = f"{f['group']}: {f['label']}" if f.get("group") else str(f["label"])
        line = f"{f['key']} | {label} | {f['type']} | {'wajib' if f.get('required') else 'opsional'}"
        if f.get("options"):
            line += " | " + ", ".join(f["options"])
        lines.append(line)
    return "\n".join(lines)


def _snapshot(letter_type: LetterType) -> dict[str, Any]:
    return {
        "name": letter_type.name,
        "classification": letter_type.classification.code,
        "classification_old": letter_type.classification_old.code if letter_type.classification_old else "",
        "requirements": sorted(letter_type.requirements.values_list("pk", flat=True)),
        "extra_fields": letter_type.extra_fields,
        "sla_days": letter_type.sla_days,
        "fee": letter_type.fee,
        "validity": letter_type.validity,
        "signing_level": letter_type.signing_level,
        "paper_size": letter_type.paper_size,
        "self_service": letter_type.self_service,
        "active": letter_type.active,
    }


def letter_type_update(
    *,
    actor: Any,
    letter_type: LetterType,
    name: str,
    classification_code: str,
    classification_old_code: str = "",
    requirement_ids: Sequence[int] = (),
    extra_fields: list[dict[str, Any]] | None = None,
    sla_days: int = 1,
    fee: int = 0,
    validity: str = "P1M",
    signing_level: str = SigningLevel.VILLAGE,
    paper_size: str = PaperSize.F4,
    self_service: bool = False,
    active: bool = True,
) -> LetterType:
    """Change one catalogue entry (admin kabupaten only); refuses unknown codes and bad values."""
    region = _admin_region(actor)
    name = " ".join(name.split())
    if not name or len(name) > 150:
        raise KampungError("Nama jenis surat wajib diisi (paling panjang 150 karakter).")
    classification = ClassificationCode.objects.filter(
        scheme=Scheme.P83_2022, code=classification_code.strip()
    ).first()
    if classification is None:
        raise KampungError(
            f"Kode klasifikasi '{classification_code}' tidak ada dalam daftar Permendagri 83/2022 "
            "(contoh: 400.12.2.1)."
        )
    old = None
    if classification_old_code.strip():
        old = ClassificationCode.objects.filter(
            scheme=Scheme.P78_2012, code=classification_old_code.strip()
        ).first()
        if old is None:
            raise KampungError(
                f"Kode klasifikasi lama '{classification_old_code}' tidak ada dalam daftar Permendagri 78/2012."
            )
    if not 1 <= sla_days <= MAX_SLA_DAYS:
        raise KampungError(f"Target waktu layanan harus 1 sampai {MAX_SLA_DAYS} hari kerja.")
    if not 0 <= fee <= MAX_FEE:
        raise KampungError("Biaya tidak boleh negatif atau melebihi Rp 10.000.000.")
    validity = validity.strip().upper()
    if parse_duration(validity) is None:
        raise KampungError("Masa berlaku ditulis seperti P1M (1 bulan), P7D (7 hari), P1Y (1 tahun).")
    if signing_level not in SigningLevel.values:
        raise KampungError("Tingkat penanda tangan tidak dikenal.")
    if paper_size not in PaperSize.values:
        raise KampungError("Ukuran kertas harus A4 atau F4.")
    requirements = list(RequirementDocument.objects.filter(pk__in=list(requirement_ids)))
    if len(requirements) != len(set(requirement_ids)):
        raise KampungError("Ada dokumen persyaratan yang tidak dikenal.")
    with transaction.atomic():
        letter_type = LetterType.objects.select_for_update().get(pk=letter_type.pk)
        before = _snapshot(letter_type)
        letter_type.name = name
        letter_type.classification = classification
        letter_type.classification_old = old
        if extra_fields is not None:
            letter_type.extra_fields = extra_fields
        letter_type.sla_days = sla_days
        letter_type.fee = fee
        letter_type.validity = validity
        letter_type.signing_level = signing_level
        letter_type.paper_size = paper_size
        letter_type.self_service = self_service
        letter_type.active = active
        letter_type.save()
        letter_type.requirements.set(requirements)
        after = _snapshot(letter_type)
        audit_record(
            actor=actor,
            act="letters.type.update",
            region=region,
            role=Role.ADMIN,
            object_type="letters.LetterType",
            object_id=letter_type.slug,
            before=before,
            after=after,
        )
    return letter_type


def letter_template_save(*, actor: Any, letter_type: LetterType, source: str) -> LetterType:
    """Save a letter body template after checking it cannot reach code, settings or files and
    renders with sample data; a refused template changes nothing."""
    region = _admin_region(actor)
    source = source.replace("\r\n", "\n")
    if not source.strip():
        raise KampungError("Templat tidak boleh kosong.")
    validate_template(source, sample_context(letter_type))
    with transaction.atomic():
        locked = LetterType.objects.select_for_update().get(pk=letter_type.pk)
        before = locked.body_template
        locked.body_template = source
        locked.template_updated_at = timezone.now()
        locked.save(update_fields=["body_template", "template_updated_at", "updated_at"])
        audit_record(
            actor=actor,
            act="letters.template.update",
            region=region,
            role=Role.ADMIN,
            object_type="letters.LetterType",
            object_id=locked.slug,
            before={"template": before},
            after={"template": source},
        )
    return locked


def letter_template_default(letter_type: LetterType) -> str:
    return default_body(
        slug=letter_type.slug,
        subject_label=letter_type.subject_label,
        extra_fields=letter_type.extra_fields,
        other_parties=letter_type.other_parties,
    )


def village_letter_setting_save(
    *, actor: Any, village: Region, letter_type: LetterType, enabled: bool, sla_days: int | None
) -> VillageLetterSetting:
    """A village head or secretary offers a type or not, and sets the village's own service
    time (empty = the catalogue's)."""
    scope = scope_for(actor)
    if not village.is_village or not scope.covers(village.code, *VILLAGE_SETTING_EDITORS):
        raise NotPermitted(
            "Hanya kepala desa/lurah atau sekretaris desa yang dapat mengatur layanan surat desa."
        )
    if sla_days is not None and not 1 <= sla_days <= MAX_SLA_DAYS:
        raise KampungError(f"Target waktu layanan harus 1 sampai {MAX_SLA_DAYS} hari kerja.")
    role = next(r for r in VILLAGE_SETTING_EDITORS if scope.covers(village.code, r))
    with transaction.atomic():
        setting, _ = VillageLetterSetting.objects.select_for_update().get_or_create(
            village=village, letter_type=letter_type
        )
        before = {"enabled": setting.enabled, "sla_days": setting.sla_days}
        setting.enabled = enabled
        setting.sla_days = sla_days
        setting.save()
        audit_record(
            actor=actor,
            act="letters.village_setting.update",
            region=village,
            role=role,
            object_type="letters.VillageLetterSetting",
            object_id=f"{village.code}:{letter_type.slug}",
            before=before,
            after={"enabled": enabled, "sla_days": sla_days},
        )
    return setting
