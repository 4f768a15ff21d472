"""``kampung audit verify | anchor | anchors``: check and anchor the audit hash chains."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kampung.audit.models import AuditAnchor
from kampung.audit.services import audit_anchor, audit_verify


class Command(BaseCommand):
    help = "Audit trail: 'verify' checks every chain, 'anchor' records chain heads, 'anchors' prints them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="exit 0 when every chain is intact")
        verify.add_argument("--chain", default="", help="check one chain only (a village code)")
        sub.add_parser("anchor", help="record the current head of every chain, with the time")
        sub.add_parser("anchors", help="print the recorded anchors (to keep on paper)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "verify":
            result = audit_verify(chain=options["chain"] or None)
            if not result.ok:
                for problem in result.problems:
                    self.stderr.write(f"RUSAK {problem}")
                first = result.problems[0]
                raise CommandError(
                    f"Jejak audit tidak utuh: {len(result.problems)} rantai rusak; entri rusak pertama {first}."
                )
            self.stdout.write(
                f"Jejak audit utuh: {result.chains} rantai, {result.entries} entri, {result.anchors} jangkar diperiksa."
            )
        elif action == "anchor":
            created = audit_anchor()
            self.stdout.write(f"{len(created)} kepala rantai dijangkarkan.")
        elif action == "anchors":
            for anchor in AuditAnchor.objects.order_by("chain", "seq"):
                self.stdout.write(
                    f"{anchor.anchored_at.isoformat()}  {anchor.chain:<20} #{anchor.seq:<8} {anchor.hash}"
                )
