"""The hash chains catch every edit, deletion, insertion and truncation."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kampung.accounts.roles import Role
from kampung.audit.models import AppendOnlyError, AuditAnchor, AuditChainHead, AuditEntry
from kampung.audit.services import (
    GENESIS,
    audit_anchor,
    audit_record,
    audit_verify,
    audit_view,
    chain_for,
)
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1, VILLAGE_B1

TABLE = AuditEntry._meta.db_table


def _fill(n=4):
    for i in range(n):
        audit_record(
            actor=None,
            act="uji.tulis",
            region=VILLAGE_A1,
            object_type="uji",
            object_id=i,
            before={"nilai": i},
            after={"nilai": i + 1, "jumlah": "1250000.00"},
        )
    audit_record(actor=None, act="uji.tulis", region=VILLAGE_B1, object_type="uji", object_id=99)


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _verify_fails_at(seq, chain=VILLAGE_A1):
    result = audit_verify()
    assert not result.ok
    first = result.problems[0]
    assert (first.chain, first.seq) == (chain, seq), result.problems
    with pytest.raises(CommandError) as err:
        call_command("audit", "verify")
    assert f"{chain}#{seq}" in str(err.value)
    return result


def test_chains_per_village_and_one_for_upper_levels():
    assert chain_for(VILLAGE_A1) == VILLAGE_A1
    assert chain_for(DISTRICT_A) == "35.10:atas"
    assert chain_for(REGENCY) == "35.10:atas"
    assert chain_for(None) == "nasional"


@pytest.mark.django_db
def test_entries_are_numbered_and_linked_per_chain():
    _fill()
    entries = list(AuditEntry.objects.filter(chain=VILLAGE_A1).order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert AuditEntry.objects.get(chain=VILLAGE_B1).seq == 1
    head = AuditChainHead.objects.get(chain=VILLAGE_A1)
    assert (head.seq, head.hash) == (4, entries[-1].hash)
    result = audit_verify()
    assert result.ok
    call_command("audit", "verify")


@pytest.mark.django_db
def test_entries_cannot_be_changed_or_deleted_through_the_orm():
    _fill(1)
    entry = AuditEntry.objects.filter(chain=VILLAGE_A1).first()
    entry.act = "lain"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


@pytest.mark.django_db
def test_an_edited_entry_is_caught():
    _fill()
    _sql(f"UPDATE {TABLE} SET after = %s WHERE chain = %s AND seq = 2", ['{"nilai": 1000}', VILLAGE_A1])
    _verify_fails_at(2)


@pytest.mark.django_db
def test_an_edited_actor_or_time_is_caught():
    _fill()
    _sql(f"UPDATE {TABLE} SET actor_label = %s WHERE chain = %s AND seq = 3", ["orang lain", VILLAGE_A1])
    _verify_fails_at(3)


@pytest.mark.django_db
def test_a_deleted_entry_in_the_middle_is_caught():
    _fill()
    _sql(f"DELETE FROM {TABLE} WHERE chain = %s AND seq = 2", [VILLAGE_A1])
    _verify_fails_at(3)


@pytest.mark.django_db
def test_an_entry_inserted_out_of_order_is_caught():
    _fill()
    # Shift entries 3..4 up and insert a forged entry as number 3 with a self-consistent hash.
    _sql(f"UPDATE {TABLE} SET seq = seq + 10 WHERE chain = %s AND seq >= 3", [VILLAGE_A1])
    second = AuditEntry.objects.get(chain=VILLAGE_A1, seq=2)
    forged = AuditEntry(
        chain=VILLAGE_A1,
        seq=3,
        at=second.at,
        actor_label="pemalsu",
        region_code=VILLAGE_A1,
        act="uji.palsu",
        prev_hash=second.hash,
    )
    from kampung.audit.services import _recompute

    forged.hash = _recompute(forged)
    forged.save(force_insert=True)
    _sql(f"UPDATE {TABLE} SET seq = seq - 9 WHERE chain = %s AND seq >= 13", [VILLAGE_A1])
    _verify_fails_at(4)


@pytest.mark.django_db
def test_cutting_entries_off_the_end_is_caught_by_the_head():
    _fill()
    _sql(f"DELETE FROM {TABLE} WHERE chain = %s AND seq = 4", [VILLAGE_A1])
    _verify_fails_at(4)


@pytest.mark.django_db
def test_cutting_the_end_and_the_head_is_caught_by_the_anchor():
    _fill()
    anchors = audit_anchor()
    assert {a.chain for a in anchors} >= {VILLAGE_A1, VILLAGE_B1}
    assert audit_anchor() == []  # nothing moved since
    third = AuditEntry.objects.get(chain=VILLAGE_A1, seq=3)
    _sql(f"DELETE FROM {TABLE} WHERE chain = %s AND seq = 4", [VILLAGE_A1])
    AuditChainHead.objects.filter(chain=VILLAGE_A1).update(seq=3, hash=third.hash)
    _verify_fails_at(4)


@pytest.mark.django_db
def test_a_deleted_whole_chain_is_caught():
    _fill()
    _sql(f"DELETE FROM {TABLE} WHERE chain = %s", [VILLAGE_B1])
    _verify_fails_at(1, chain=VILLAGE_B1)


@pytest.mark.django_db
def test_one_broken_chain_does_not_hide_others_and_the_command_prints_anchors(capsys):
    _fill()
    audit_anchor()
    call_command("audit", "anchors")
    assert VILLAGE_A1 in capsys.readouterr().out
    assert AuditAnchor.objects.count() >= 2


@pytest.mark.django_db
def test_view_of_personal_data_is_one_short_entry(world):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    entry = audit_view(
        actor=operator, object_type="population.Resident", object_id=7, region=VILLAGE_A1, what="detail"
    )
    assert entry.act == "view"
    assert entry.actor_label == operator.display_name
    assert audit_verify().ok


@pytest.mark.django_db
def test_failed_transaction_leaves_no_entry():
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, act="uji", region=VILLAGE_A1)
        raise RuntimeError
    assert not AuditEntry.objects.filter(chain=VILLAGE_A1).exists()
    assert audit_verify().ok


@pytest.mark.django_db
def test_audit_pages_for_the_admin(client, world):
    from django.urls import reverse

    _fill()
    audit_anchor()
    client.force_login(world.user(Role.ADMIN, REGENCY))
    response = client.get(reverse("audit:entry_list"), {"rantai": VILLAGE_A1, "tindakan": "uji."})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 4
    response = client.get(reverse("audit:anchor_list"))
    assert VILLAGE_A1 in response.content.decode()
