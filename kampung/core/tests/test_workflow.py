from decimal import Decimal

import pytest

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.audit.services import audit_verify
from kampung.authority.acts import register_act
from kampung.conftest import REGENCY, VILLAGE_A1, VILLAGE_B1
from kampung.core.errors import InvalidTransition, NotPermitted
from kampung.core.tests.workflowapp.models import Paper
from kampung.core.workflow import Workflow

register_act("uji.ajukan", holder_role=Role.OPERATOR, description="Mengajukan (uji)")
register_act("uji.setujui", holder_role=Role.HEAD, description="Menyetujui (uji)")
register_act("uji.evaluasi", holder_role=Role.BUPATI, description="Evaluasi (uji)")

FLOW = Workflow(
    "uji",
    [
        ("draf", "uji.ajukan", "diajukan"),
        ("diajukan", "uji.setujui", "disetujui"),
        ("diajukan", "uji.evaluasi", "dievaluasi"),
    ],
    labels={"draf": "Draf", "diajukan": "Diajukan", "disetujui": "Disetujui"},
)


def test_duplicate_transitions_are_refused():
    with pytest.raises(ValueError):
        Workflow("x", [("a", "go", "b"), ("a", "go", "c")])


def test_table_queries():
    assert FLOW.acts_from("diajukan") == ["uji.setujui", "uji.evaluasi"]
    assert FLOW.target("draf", "uji.setujui") is None


def test_allowed_transition_changes_state_and_writes_audit_in_one_go(world):
    paper = Paper.objects.create(village_id=VILLAGE_A1)
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    applied = FLOW.apply(
        paper, act="uji.ajukan", actor=operator, region=paper.village, amount=Decimal("1500000")
    )
    assert applied.basis == "atribusi"
    assert applied.role == Role.OPERATOR
    paper.refresh_from_db()
    assert paper.status == "diajukan"
    entry = AuditEntry.objects.get(pk=applied.audit_id)
    assert entry.chain == VILLAGE_A1
    assert entry.before == {"status": "draf"}
    assert entry.after["status"] == "diajukan"
    assert entry.after["amount"] == "1500000"
    assert entry.role == Role.OPERATOR
    assert audit_verify().ok


def test_transition_not_in_the_table_is_refused_with_the_state_label(world):
    paper = Paper.objects.create(village_id=VILLAGE_A1)
    head = world.user(Role.HEAD, VILLAGE_A1)
    before = AuditEntry.objects.count()
    with pytest.raises(InvalidTransition) as err:
        FLOW.apply(paper, act="uji.setujui", actor=head, region=paper.village)
    assert "Draf" in err.value.message
    paper.refresh_from_db()
    assert paper.status == "draf"
    assert AuditEntry.objects.count() == before


def test_actor_without_the_role_here_is_refused_and_nothing_changes(world):
    paper = Paper.objects.create(village_id=VILLAGE_A1, status="diajukan")
    before = AuditEntry.objects.count()
    for user in (
        world.user(Role.OPERATOR, VILLAGE_A1),
        world.user(Role.HEAD, VILLAGE_B1),
        world.user(Role.CAMAT, "35.10.01"),
    ):
        with pytest.raises(NotPermitted):
            FLOW.apply(paper, act="uji.setujui", actor=user, region=paper.village)
    paper.refresh_from_db()
    assert paper.status == "diajukan"
    assert AuditEntry.objects.count() == before


def test_regency_holder_acts_on_villages_under_it(world):
    paper = Paper.objects.create(village_id=VILLAGE_B1, status="diajukan")
    FLOW.apply(paper, act="uji.evaluasi", actor=world.user(Role.BUPATI, REGENCY), region=paper.village)
    paper.refresh_from_db()
    assert paper.status == "dievaluasi"


def test_stale_object_state_is_reread_under_lock(world):
    paper = Paper.objects.create(village_id=VILLAGE_A1)
    stale = Paper.objects.get(pk=paper.pk)
    FLOW.apply(paper, act="uji.ajukan", actor=world.user(Role.OPERATOR, VILLAGE_A1), region=paper.village)
    with pytest.raises(InvalidTransition):
        FLOW.apply(stale, act="uji.ajukan", actor=world.user(Role.OPERATOR, VILLAGE_A1), region=stale.village)
