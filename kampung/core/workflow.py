"""Life cycles as explicit transition tables (state, act, next state).

One call, :meth:`Workflow.apply`, checks the transition exists, asks ``may_act`` whether the
actor may perform the act here, changes the state, and writes the audit entry — all in one
transaction. The letter, budget, payment and assistance life cycles use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models, transaction

from kampung.core.errors import InvalidTransition, NotPermitted


@dataclass(frozen=True)
class Transition:
    source: str
    act: str
    target: str


@dataclass(frozen=True)
class Applied:
    source: str
    target: str
    act: str
    basis: str
    role: str
    instrument: str
    audit_id: int


class Workflow:
    def __init__(
        self,
        name: str,
        transitions: Iterable[tuple[str, str, str]],
        *,
        state_field: str = "status",
        labels: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.state_field = state_field
        self.labels = labels or {}
        self._table: dict[tuple[str, str], str] = {}
        for source, act, target in transitions:
            key = (source, act)
            if key in self._table:
                raise ValueError(f"{name}: duplicate transition from {source!r} by {act!r}")
            self._table[key] = target

    @property
    def transitions(self) -> list[Transition]:
        return [Transition(s, a, t) for (s, a), t in self._table.items()]

    def label(self, state: str) -> str:
        return self.labels.get(state, state)

    def acts_from(self, state: str) -> list[str]:
        return [act for (source, act) in self._table if source == state]

    def target(self, state: str, act: str) -> str | None:
        return self._table.get((state, act))

    def apply(
        self,
        obj: models.Model,
        *,
        act: str,
        actor: Any,
        region: Any,
        amount: Decimal | None = None,
        note: str = "",
        extra: dict[str, Any] | None = None,
        check_act: str | None = None,
        update_fields: Iterable[str] = (),
    ) -> Applied:
        """Move ``obj`` along the ``act`` transition, or raise without changing anything.

        ``check_act`` is the authority code asked of ``may_act`` when it differs from the
        table's act name (for example ``letters.sign.<slug>`` for the ``sign`` transition).
        """
        from kampung.audit.services import audit_record
        from kampung.authority.services import act_record, may_act

        with transaction.atomic():
            # Re-read the row under lock so two people cannot move it at once.
            locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
            source = getattr(locked, self.state_field)
            target = self.target(source, act)
            if target is None:
                raise InvalidTransition(
                    f"Tindakan ini tidak dapat dilakukan saat status '{self.label(source)}'."
                )
            decision = may_act(actor, check_act or act, region, amount)
            if not decision.allowed:
                raise NotPermitted(decision.reason or "Anda tidak berwenang melakukan tindakan ini.")
            setattr(obj, self.state_field, target)
            obj.save(update_fields=[self.state_field, *update_fields] if update_fields else None)
            payload: dict[str, Any] = {self.state_field: target, "basis": decision.basis}
            if decision.instrument:
                payload["instrument"] = decision.instrument
            if note:
                payload["note"] = note
            if amount is not None:
                payload["amount"] = amount
            if extra:
                payload.update(extra)
            entry = audit_record(
                actor=actor,
                act=check_act or f"{self.name}.{act}",
                region=region,
                object_type=obj._meta.label,
                object_id=str(obj.pk),
                before={self.state_field: source},
                after=payload,
                role=decision.role,
            )
            act_record(
                decision=decision,
                actor=actor,
                act=check_act or act,
                region=region,
                object_type=obj._meta.label,
                object_id=str(obj.pk),
                amount=amount,
            )
        return Applied(
            source=source,
            target=target,
            act=act,
            basis=decision.basis,
            role=decision.role,
            instrument=decision.instrument,
            audit_id=entry.pk,
        )
