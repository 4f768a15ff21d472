"""Posting, changing and removing announcements.

Who may post where (:func:`may_post`): the regency admin for the regency itself (shown in
every village's pages) and for any village of it; a village's head, secretary and operator
for their own village. Every act is checked here, audited in its transaction, and makes the
cached public pages stale once it has committed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from kampung.accounts.roles import Role
from kampung.accounts.scope import Scope, scope_for
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError, NotPermitted
from kampung.kiosk.models import Announcement
from kampung.kiosk.public_cache import public_cache_bump
from kampung.regions.models import Level, Region

# Village staff who post for their own village (the regency admin posts anywhere in the regency).
VILLAGE_POSTERS = (Role.HEAD, Role.SECRETARY, Role.OPERATOR)
POSTERS = (Role.ADMIN, *VILLAGE_POSTERS)
TITLE_MIN, TITLE_MAX, BODY_MAX = 5, 200, 5000


def may_post(scope: Scope, region: Region) -> bool:
    """Whether the user with ``scope`` may post (and manage) announcements of ``region``."""
    if region.level == Level.REGENCY:
        return scope.covers(region.code, Role.ADMIN)
    if region.level == Level.VILLAGE:
        return scope.covers(region.code, *POSTERS)
    return False


def _check(actor: Any, region: Region) -> None:
    if not may_post(scope_for(actor), region):
        raise NotPermitted("Anda tidak berwenang mengelola pengumuman wilayah ini.")


def _clean(
    title: str, body: str, publish_from: dt.date | None, publish_until: dt.date | None
) -> tuple[str, str, dt.date, dt.date | None]:
    title = " ".join(str(title or "").split())
    body = str(body or "").replace("\r\n", "\n").strip()
    if "\x00" in title or "\x00" in body:
        raise KampungError("Judul dan isi tidak boleh memuat karakter kosong (NUL).")
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise KampungError(f"Judul harus {TITLE_MIN} sampai {TITLE_MAX} karakter.")
    if not body:
        raise KampungError("Isi pengumuman wajib diisi.")
    if len(body) > BODY_MAX:
        raise KampungError(f"Isi pengumuman paling banyak {BODY_MAX} karakter.")
    if publish_from is None:
        raise KampungError("Tanggal mulai tampil wajib diisi.")
    if publish_until is not None and publish_until < publish_from:
        raise KampungError("Tanggal akhir tampil tidak boleh sebelum tanggal mulai tampil.")
    return title, body, publish_from, publish_until


def _snapshot(a: Announcement) -> dict[str, Any]:
    return {
        "region": a.region_id,
        "title": a.title,
        "publish_from": a.publish_from,
        "publish_until": a.publish_until,
        "pinned": a.pinned,
    }


def _audit(actor: Any, act: str, a: Announcement, before: Any, after: Any) -> None:
    audit_record(
        actor=actor,
        act=f"kiosk.announcement.{act}",
        region=a.region_id,
        object_type="kiosk.Announcement",
        object_id=a.pk,
        before=before,
        after=after,
    )


@transaction.atomic
def announcement_save(
    *,
    actor: Any,
    region: Region,
    title: str,
    body: str,
    publish_from: dt.date | None,
    publish_until: dt.date | None = None,
    pinned: bool = False,
    announcement: Announcement | None = None,
) -> Announcement:
    """Post a new announcement for ``region`` or change ``announcement`` (possibly moving it
    to another region the actor may post for)."""
    _check(actor, region)
    before = None
    if announcement is None:
        announcement = Announcement(created_by=actor if getattr(actor, "pk", None) else None)
    else:
        _check(actor, announcement.region)
        before = _snapshot(announcement)
    title, body, publish_from, publish_until = _clean(title, body, publish_from, publish_until)
    announcement.region = region
    announcement.title = title
    announcement.body = body
    announcement.publish_from = publish_from
    announcement.publish_until = publish_until
    announcement.pinned = bool(pinned)
    announcement.save()
    _audit(actor, "add" if before is None else "edit", announcement, before, _snapshot(announcement))
    transaction.on_commit(public_cache_bump)
    return announcement


@transaction.atomic
def announcement_delete(*, actor: Any, announcement: Announcement) -> None:
    _check(actor, announcement.region)
    before = _snapshot(announcement)
    _audit(actor, "delete", announcement, before, None)
    announcement.delete()
    transaction.on_commit(public_cache_bump)
