"""Loading the catalogue's reference data: classification codes, requirement documents and the
42 standard letter types with their default templates.

Idempotent: codes get their current names, missing rows are added, and letter types already
in the database keep whatever the regency admin changed. Runs from the data migration (with
the migration's historical models) and from ``kampung letters load``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from kampung.letters.catalogue_data import classification_rows, letter_type_rows, requirement_rows
from kampung.letters.default_templates import default_body


@dataclass(frozen=True)
class CatalogueLoadResult:
    classifications: int
    requirements_created: int
    types_created: int
    templates_filled: int


def _models() -> tuple[Any, Any, Any]:
    from kampung.letters.models import ClassificationCode, LetterType, RequirementDocument

    return ClassificationCode, RequirementDocument, LetterType


def catalogue_load(*, models: tuple[Any, Any, Any] | None = None) -> CatalogueLoadResult:
    """Load (or top up) the catalogue. ``models`` = (ClassificationCode, RequirementDocument,
    LetterType), given by the data migration; the current models otherwise."""
    classification_model, requirement_model, type_model = models or _models()
    with transaction.atomic():
        codes = [
            classification_model(scheme=s, code=c, name=n[:255], level=lv, parent_code=p, note=note)
            for s, c, n, lv, p, note in classification_rows()
        ]
        classification_model.objects.bulk_create(
            codes,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["scheme", "code"],
            update_fields=["name", "level", "parent_code", "note"],
        )
        by_code = {
            (c.scheme, c.code): c.pk for c in classification_model.objects.all().only("scheme", "code")
        }

        requirements_created = 0
        requirement_ids: dict[int, int] = {}
        for opensid_id, name in requirement_rows():
            obj = requirement_model.objects.filter(opensid_id=opensid_id).first()
            if obj is None:
                obj = requirement_model.objects.filter(name=name).first()
                if obj is None:
                    obj = requirement_model.objects.create(name=name, opensid_id=opensid_id)
                    requirements_created += 1
            requirement_ids[opensid_id] = obj.pk

        types_created = templates_filled = 0
        for row in letter_type_rows():
            letter_type = type_model.objects.filter(slug=row.slug).first()
            if letter_type is None:
                letter_type = type_model.objects.create(
                    slug=row.slug,
                    kode_opensid=row.kode_opensid,
                    name=row.name,
                    classification_id=by_code[("83/2022", row.classification)],
                    classification_old_id=by_code.get(("78/2012", row.classification_old)),
                    extra_fields=row.extra_fields,
                    subject_label=row.subject_label,
                    subject_rules=row.subject_rules,
                    other_parties=row.other_parties,
                    attached_forms=row.attached_forms,
                    validity=row.validity,
                    paper_size=row.paper_size,
                    self_service=row.self_service,
                )
                letter_type.requirements.set([requirement_ids[i] for i in row.requirement_ids])
                types_created += 1
            if not letter_type.body_template:
                letter_type.body_template = default_body(
                    slug=row.slug,
                    subject_label=letter_type.subject_label,
                    extra_fields=letter_type.extra_fields,
                    other_parties=letter_type.other_parties,
                )
                letter_type.save(update_fields=["body_template"])
                templates_filled += 1
    return CatalogueLoadResult(
        classifications=len(codes),
        requirements_created=requirements_created,
        types_created=types_created,
        templates_filled=templates_filled,
    )


def catalogue_ensure() -> None:
    """Load the catalogue when it is missing (e.g. after a test flushed the database)."""
    _, _, type_model = _models()
    if not type_model.objects.exists():
        catalogue_load()
