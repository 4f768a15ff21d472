"""Run by test_payments_concurrency in separate processes (not a test module itself).

    python -m kampung.finance.tests.payments_concurrency_worker setup VILLAGE
    python -m kampung.finance.tests.payments_concurrency_worker pay VILLAGE USERNAME START_FILE

``setup`` migrates a fresh database, loads the village's regions and builds the world
(:func:`build`); ``pay`` waits for the start signal and tries to pay every approved SPP of the
kegiatan, printing one line per SPP: ``paid <pk>`` or ``refused <pk> <message>``.
Settings come from the environment (DATABASE_URL, KAMPUNG_VAR_DIR).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

YEAR = 2026
ACTIVITY = "02.03.10"
LINE = "Upah tukang"  # 100 HOK x Rp120.000 = Rp12.000.000
SPP_AMOUNT = Decimal(4_000_000)
SPP_COUNT = 8
TREASURERS = ("bendahara-uji-1", "bendahara-uji-2", "bendahara-uji-3", "bendahara-uji-4")
PAY_DAY = dt.date(YEAR, 12, 2)


def build(village_code: str) -> None:
    """An executable APBDes, money in the bank, treasurers, and SPP_COUNT approved LS SPP of
    Rp4.000.000 on a line of Rp12.000.000 (written straight to the tables, as if approved
    before the budget was cut): at most three can be paid."""
    from kampung.accounts.roles import Role
    from kampung.accounts.services import user_create
    from kampung.finance.models import BudgetActivity, BudgetLine, Spp, SppKind, SppLine, SppStatus
    from kampung.finance.tests.exec_factories import bank_receipt, make_executable
    from kampung.regions.models import Region

    apbdes = make_executable(village_code, YEAR)
    bank_receipt(village_code, YEAR, 200_000_000)
    region = Region.objects.get(code=village_code)
    for username in TREASURERS:
        user_create(
            actor=None,
            username=username,
            full_name=f"Uji {username}",
            role=Role.TREASURER,
            region=region,
            valid_from=dt.date(2020, 1, 1),
            password="sandi-uji-Kampung-1",
        )
    activity = BudgetActivity.objects.get(apbdes=apbdes, activity_code__code=ACTIVITY)
    line = BudgetLine.objects.get(activity=activity, description=LINE)
    from kampung.finance.ledger import book_for

    book = book_for(village_code, YEAR)
    for i in range(1, SPP_COUNT + 1):
        spp = Spp.objects.create(
            book=book,
            activity=activity,
            kind=SppKind.DIRECT,
            number=f"{i:04d}/SPP-LS/{YEAR}",
            date=dt.date(YEAR, 12, 1),
            description=f"Upah tukang minggu {i}",
            amount=SPP_AMOUNT,
            payee_name=f"Tukang {i}",
            status=SppStatus.APPROVED,
            check_complete=True,
            check_correct=True,
            check_funds=True,
        )
        SppLine.objects.create(spp=spp, budget_line=line, amount=SPP_AMOUNT, description=LINE)


def pay(village_code: str, username: str, start_file: Path) -> None:
    from django.contrib.auth import get_user_model

    from kampung.core.errors import KampungError
    from kampung.finance.models import Spp
    from kampung.finance.services.payments import spp_pay

    user = get_user_model().objects.get(username=username)
    spps = list(
        Spp.objects.filter(book__village_id=village_code, book__year=YEAR)
        .select_related("book")
        .order_by("pk")
    )
    random.Random(os.getpid()).shuffle(spps)
    (start_file.parent / f"ready-{username}").touch()  # loaded; waiting for the others
    deadline = time.monotonic() + 120
    while not start_file.exists():  # all workers start together
        if time.monotonic() > deadline:
            raise SystemExit("start signal never came")
        time.sleep(0.005)
    lines = []
    for spp in spps:
        try:
            spp_pay(
                actor=user, spp=spp, date=PAY_DAY, method="transfer", reference=f"TRX-{username}-{spp.pk}"
            )
        except KampungError as exc:
            lines.append(f"refused {spp.pk} {exc.message}")
        else:
            lines.append(f"paid {spp.pk}")
    sys.stdout.write("\n".join(lines) + "\n")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kampung.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from kampung.regions.services import regions_load

    action, village_code = sys.argv[1], sys.argv[2]
    if action == "setup":
        call_command("migrate", verbosity=0)
        regions_load(prefix=village_code)
        build(village_code)
        return
    pay(village_code, sys.argv[3], Path(sys.argv[4]))


if __name__ == "__main__":
    main()
