"""Importing residents and families from Excel or CSV (our template or OpenSID's layout).

``population_import_check`` finds every problem without writing; ``population_import``
checks and writes in one transaction, all or nothing.
"""

from kampung.population.importing.layouts import KAMPUNG, LAYOUT_LABELS, OPENSID
from kampung.population.importing.reading import SUFFIXES
from kampung.population.importing.service import (
    ImportRejected,
    ImportReport,
    population_import,
    population_import_check,
)
from kampung.population.importing.templates import template_csv, template_xlsx
from kampung.population.importing.validation import Problem

__all__ = [
    "KAMPUNG",
    "LAYOUT_LABELS",
    "OPENSID",
    "SUFFIXES",
    "ImportRejected",
    "ImportReport",
    "Problem",
    "population_import",
    "population_import_check",
    "template_csv",
    "template_xlsx",
]
