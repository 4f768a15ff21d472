"""Run by test_concurrency in separate processes (not a test module itself).

    python -m kampung.documents.tests.concurrency_worker setup VILLAGE
    python -m kampung.documents.tests.concurrency_worker issue VILLAGE COUNT START_FILE

Settings come from the environment (DATABASE_URL, KAMPUNG_VAR_DIR).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kampung.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from kampung.documents.services import Signer, document_issue
    from kampung.regions.models import Region
    from kampung.regions.services import regions_load

    action, village_code = sys.argv[1], sys.argv[2]
    if action == "setup":
        call_command("migrate", verbosity=0)
        regions_load(prefix=village_code)
        return
    count, start_file = int(sys.argv[3]), Path(sys.argv[4])
    village = Region.objects.get(code=village_code)
    deadline = time.monotonic() + 120
    while not start_file.exists():  # all workers start together
        if time.monotonic() > deadline:
            raise SystemExit("start signal never came")
        time.sleep(0.005)
    for i in range(count):
        # The caller's signing transaction, as the letters service will hold it.
        with transaction.atomic():
            document_issue(
                actor=None,
                village=village,
                kind="surat_keluar",
                title="Surat Keterangan Uji",
                classification="400.12.2.1",
                subject_name=f"Warga {os.getpid()} {i}",
                signer=Signer(name="Kepala Uji", title="Kepala Desa Uji"),
            )
    sys.stdout.write(f"ok {count}\n")


if __name__ == "__main__":
    main()
