import datetime as dt

import pytest

from kampung.accounts.models import User
from kampung.authority.models import Delegation
from kampung.authority.services import may_act, signature_block
from kampung.demo.authority import ensure_delegations
from kampung.demo.services import demo_build


@pytest.mark.django_db
def test_demo_register_grants_the_village_powers_and_keeps_history():
    demo_build(seed=7)
    assert ensure_delegations() == 0  # idempotent
    assert Delegation.objects.count() == 5
    assert Delegation.objects.filter(revoked_on__isnull=False).count() == 1
    assert Delegation.objects.filter(valid_until__lt=dt.date(2026, 1, 1)).count() == 1
    kades = User.objects.get(username="kades.kemiren")
    decision = may_act(kades, "assistance.rtlh.decide", "35.10.15.2004")
    assert decision.basis == "delegasi"
    assert "Peraturan Bupati Banyuwangi Nomor 12 Tahun 2017" in decision.instrument
    assert not may_act(kades, "assistance.blt.decide", "35.10.15.2004")  # expired in 2020
    camat = User.objects.get(username="camat.glagah")
    assert may_act(camat, "finance.apbdes.evaluate", "35.10.15.2004").basis == "delegasi"
    assert not may_act(camat, "assistance.rtlh.decide", "35.10.15.2004")  # revoked in 2017
    revoked = Delegation.objects.get(revoked_on__isnull=False)
    assert revoked.in_force_on(dt.date(2016, 6, 1)) and not revoked.in_force_on(dt.date(2017, 4, 8))
    sekdes = User.objects.get(username="sekdes.kemiren")
    decision = may_act(sekdes, "letters.sign.keterangan-usaha", "35.10.15.2004")
    assert signature_block(decision=decision, signer=sekdes).lines[0] == "a.n. Kepala Desa Kemiren"
