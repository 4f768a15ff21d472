"""Load the reference data: classification codes (83/2022 and 78/2012), requirement documents
and the 42 standard letter types with their default templates."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from kampung.letters.loader import catalogue_load

    catalogue_load(
        models=(
            apps.get_model("letters", "ClassificationCode"),
            apps.get_model("letters", "RequirementDocument"),
            apps.get_model("letters", "LetterType"),
        )
    )


class Migration(migrations.Migration):
    dependencies = [("letters", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
