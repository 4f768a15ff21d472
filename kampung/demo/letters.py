"""The demo's letter service: a signing key, resident accounts and requests in every state.

Everything goes through the real services: ``request_submit`` at the counter (loket) and
online (daring, by a resident logged in with NIK + PIN), then ``request_verify``,
``request_sign`` (numbers from the village series; the PDF is rendered after the signing
commits), ``request_issue``, ``request_hand_over``, ``request_reject`` and ``request_cancel``.
Each village's requests are made in one transaction, so a village either has its whole set
or none (a second run skips villages that already have requests).

The services stamp the current time. Afterwards, only the timestamps of requests that have
no document (submitted, verified, rejected, cancelled) are moved back over the last weeks,
with their target dates recomputed from the village's service time, so the queues show due
and overdue work. Signed letters keep today's date: it is printed in the PDF and in the
signed QR token.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from kampung.accounts.models import User
from kampung.core.errors import KampungError
from kampung.demo.cast import DEMO_VILLAGE_CODES, REGENCY_CODE, USERNAME_SLUGS, VILLAGE_SET_CODES
from kampung.documents import keys
from kampung.letters.models import LetterType
from kampung.letters.models_requests import LetterRequest, RequestEvent, RequestStatus
from kampung.population.models import BasicStatus, Resident, ResidentAccount, Sex
from kampung.regions.models import Region

logger = logging.getLogger(__name__)

# The PIN of the demo residents' own accounts (NIK + PIN on /warga/). Set through the
# resident's own "change PIN" service, so no change is asked at the first login.
DEMO_PIN = "482915"

DOMISILI = "surat-keterangan-domisili"
USAHA = "surat-keterangan-usaha"
KURANG_MAMPU = "surat-keterangan-kurang-mampu"
KELAHIRAN = "surat-keterangan-kelahiran"
KEMATIAN = "surat-keterangan-kematian"
SKCK = "surat-pengantar-surat-keterangan-catatan-kepolisian"
PENGANTAR = "surat-keterangan-pengantar"
KERAMAIAN = "surat-pengantar-izin-keramaian"
KTP_PROSES = "surat-keterangan-ktp-dalam-proses"

KK_HEAD, KK_WIFE, KK_CHILD = 1, 3, 4
ADULT_AGE = 17
COUNTER, ONLINE = "loket", "daring"

S = RequestStatus
# The order of the life cycle: a request goes through the steps up to its final state.
_PATH = (S.SUBMITTED, S.VERIFIED, S.SIGNED, S.ISSUED, S.HANDED_OVER)


@dataclass(frozen=True)
class Plan:
    """One demo request: its type, channel, the state it ends in, and who does what."""

    slug: str
    channel: str
    final: str
    who: str = "adult"  # adult | head | account | dead | baby
    purpose: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    verifier: str = "operator"  # operator | sekdes
    signer: str = "kades"  # kades | sekdes (a.n. Kepala Desa, under the village head's mandat)
    wet: bool = False
    reason: str = ""


# A desa's set: every state, both channels, a spread of types.
DESA_PLANS: tuple[Plan, ...] = (
    Plan(DOMISILI, ONLINE, S.SUBMITTED, "account", "Syarat pendaftaran sekolah anak"),
    Plan(USAHA, COUNTER, S.SUBMITTED, fields=(("nama_usaha", "Warung Kopi Osing"),), purpose="Pengajuan KUR"),
    Plan(
        KERAMAIAN,
        COUNTER,
        S.SUBMITTED,
        fields=(("jenis_acara", "Pernikahan (resepsi)"),),
        purpose="Izin keramaian resepsi pernikahan di rumah",
    ),
    Plan(KURANG_MAMPU, COUNTER, S.VERIFIED, "head", "Keringanan biaya rumah sakit"),
    Plan(
        PENGANTAR,
        COUNTER,
        S.VERIFIED,
        fields=(("keterangan", "Mengurus BPJS Kesehatan"),),
        purpose="Pengantar ke kantor BPJS",
        verifier="sekdes",
    ),
    Plan(
        KELAHIRAN,
        COUNTER,
        S.SIGNED,
        "baby",
        "Pengurusan akta kelahiran",
        fields=(("pelapor_hubungan_pelapor_dengan_bayi", "Ayah"),),
    ),
    Plan(DOMISILI, COUNTER, S.SIGNED, purpose="Pembukaan rekening bank", wet=True),
    Plan(
        USAHA,
        COUNTER,
        S.ISSUED,
        fields=(("nama_usaha", "Toko Kelontong Barokah"),),
        purpose="Permohonan izin usaha mikro",
        signer="sekdes",
    ),
    Plan(KTP_PROSES, COUNTER, S.ISSUED, purpose="Keperluan pencairan bantuan sosial"),
    Plan(
        KEMATIAN,
        COUNTER,
        S.HANDED_OVER,
        "dead",
        "Pengurusan akta kematian dan santunan",
        fields=(("pelapor_hubungan_pelapor_dengan_yang_mati", "Keluarga"),),
    ),
    Plan(
        SKCK,
        ONLINE,
        S.HANDED_OVER,
        "account",
        "Melamar pekerjaan",
        fields=(("keterangan", "Pengantar pembuatan SKCK di Polresta Banyuwangi"),),
        signer="sekdes",
    ),
    Plan(KURANG_MAMPU, COUNTER, S.HANDED_OVER, "head", "Pendaftaran beasiswa anak", verifier="sekdes"),
    Plan(
        DOMISILI,
        COUNTER,
        S.REJECTED,
        purpose="Syarat melamar pekerjaan",
        reason="Alamat pada permohonan berbeda dengan buku induk; perbarui data KK dahulu di loket.",
    ),
    Plan(
        USAHA,
        ONLINE,
        S.CANCELLED,
        "account",
        "Pengajuan pinjaman koperasi",
        fields=(("nama_usaha", "Jahit Busana Gandrung"),),
    ),
    Plan(
        SKCK,
        COUNTER,
        S.REJECTED,
        purpose="Syarat melamar kerja",
        verifier="sekdes",
        fields=(("keterangan", "Pengantar SKCK"),),
        reason="Pemohon sedang tercatat pindah keluar; ajukan di desa tujuan.",
    ),
)

# A kelurahan in the demo has only its lurah's account: counter requests and a cancellation.
KELURAHAN_PLANS: tuple[Plan, ...] = (
    Plan(DOMISILI, COUNTER, S.SUBMITTED, purpose="Pendaftaran sekolah", signer="lurah"),
    Plan(
        SKCK,
        COUNTER,
        S.SUBMITTED,
        fields=(("keterangan", "Pengantar SKCK"),),
        purpose="Melamar pekerjaan",
        signer="lurah",
    ),
    Plan(
        USAHA,
        COUNTER,
        S.CANCELLED,
        fields=(("nama_usaha", "Bengkel Motor Bakungan"),),
        purpose="Pengajuan kredit usaha",
        signer="lurah",
    ),
)


@dataclass(frozen=True)
class ResidentLogin:
    nik: str
    pin: str
    name: str
    region: str


@dataclass
class LettersResult:
    key_created: str = ""  # the kid of a key made by this run
    villages: int = 0
    requests: int = 0
    accounts: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)  # plans that found no fitting person
    resident_logins: list[ResidentLogin] = field(default_factory=list)


# --- the regency's key ------------------------------------------------------------------


def signing_key_ensure(regency: str) -> tuple[keys.KeyInfo, bool]:
    """The regency's current signing key; one is generated (into KEYS_DIR) when there is
    none. An existing key is never replaced. Returns the key and whether it is new."""
    current = [k for k in keys.key_list(regency=regency) if k.current]
    if current:
        return current[-1], False
    return keys.key_generate(regency=regency), True


# --- people -----------------------------------------------------------------------------


def _age(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class _People:
    """Residents of one village to draw from, without drawing anyone twice."""

    def __init__(self, village: Region, rng: random.Random) -> None:
        self.rng = rng
        self.today = timezone.localdate()
        living = list(
            Resident.objects.filter(village=village, basic_status=BasicStatus.LIVING).order_by("nik")
        )
        self.adults = [r for r in living if _age(r.birth_date, self.today) >= ADULT_AGE + 1]
        self.heads = [r for r in self.adults if r.family_relation == KK_HEAD and r.family_id]
        self.by_family: dict[int, list[Resident]] = {}
        for resident in living:
            if resident.family_id:
                self.by_family.setdefault(resident.family_id, []).append(resident)
        self.dead = list(
            Resident.objects.filter(village=village, basic_status=BasicStatus.DEAD).order_by("nik")
        )
        self.babies = [
            r
            for r in living
            if r.family_relation == KK_CHILD and r.family_id and _age(r.birth_date, self.today) < 1
        ]
        self.used: set[int] = set()

    def take(self, pool: list[Resident]) -> Resident | None:
        free = [r for r in pool if r.pk not in self.used]
        if not free:
            return None
        chosen = self.rng.choice(free)
        self.used.add(chosen.pk)
        return chosen

    def adult(self) -> Resident:
        chosen = self.take(self.adults)
        if chosen is None:
            raise KampungError("Desa demo tidak punya cukup penduduk dewasa untuk contoh surat.")
        return chosen

    def relatives(self, resident: Resident) -> list[Resident]:
        return [r for r in self.by_family.get(resident.family_id or 0, []) if r.pk != resident.pk]


# --- accounts ---------------------------------------------------------------------------


def account_resident(village: Region) -> Resident | None:
    """The demo resident who logs in with NIK + PIN: a living family head, as the ``warga.``
    account is (see ``services._resident_names``)."""
    from kampung.population.models import Family

    family = (
        Family.objects.filter(village=village, head__isnull=False, head__basic_status=BasicStatus.LIVING)
        .select_related("head")
        .first()
    )
    return family.head if family is not None else None


def _ensure_account(village: Region, operator: User) -> tuple[ResidentAccount | None, bool]:
    """A resident account for the village's demo resident, activated by its operator (the
    real service, random PIN) and then set to the demo PIN through the resident's own PIN
    change, as a resident does at the first login."""
    from kampung.population.portal import account_activate, pin_change

    resident = account_resident(village)
    if resident is None:
        return None, False
    existing = ResidentAccount.objects.filter(resident=resident).select_related("user").first()
    if existing is not None:
        return (existing if existing.active else None), False
    account, pin = account_activate(actor=operator, resident=resident)
    pin_change(user=account.user, old_pin=pin, new_pin=DEMO_PIN)
    return account, True


# --- requests ---------------------------------------------------------------------------


def _users(code: str) -> dict[str, User]:
    slug = USERNAME_SLUGS[code]
    names = {
        "operator": f"operator.{slug}",
        "sekdes": f"sekdes.{slug}",
        "kades": f"kades.{slug}",
        "lurah": f"lurah.{slug}",
    }
    found = {u.username: u for u in User.objects.filter(username__in=names.values())}
    return {key: found[name] for key, name in names.items() if name in found}


def _input(plan: Plan, people: _People, account: ResidentAccount | None, types: dict[str, LetterType]) -> Any:
    from kampung.letters.services_requests import PartyInput, RequestInput

    letter_type = types[plan.slug]
    fields = dict(plan.fields)
    if "keperluan" in letter_type.field_map():
        fields.setdefault("keperluan", plan.purpose)
    if plan.who == "account":
        if account is None:
            return None
        return RequestInput(letter_type, account.resident, fields=fields, purpose=plan.purpose)
    if plan.who == "head":
        head = people.take(people.heads)
        return None if head is None else RequestInput(letter_type, head, fields=fields, purpose=plan.purpose)
    if plan.who == "dead":
        dead = people.take(people.dead)
        if dead is None:
            return None
        living = people.relatives(dead)
        adults = [r for r in living if r in people.adults]
        reporter = adults[0] if adults else people.adult()
        people.used.add(reporter.pk)
        if not adults:
            fields["pelapor_hubungan_pelapor_dengan_yang_mati"] = "Tetangga"
        return RequestInput(
            letter_type,
            reporter,
            subject=PartyInput(resident=dead),
            parties={
                "pelapor": PartyInput(resident=reporter),
                "saksi_1": PartyInput(resident=people.adult()),
                "saksi_2": PartyInput(resident=people.adult()),
            },
            fields=fields,
            purpose=plan.purpose,
        )
    if plan.who == "baby":
        for _ in range(len(people.babies)):
            baby = people.take(people.babies)
            if baby is None:
                break
            family = people.relatives(baby)
            father = next((r for r in family if r.family_relation == KK_HEAD and r.sex == Sex.MALE), None)
            mother = next((r for r in family if r.family_relation == KK_WIFE and r.sex == Sex.FEMALE), None)
            if father is None or mother is None or father not in people.adults:
                continue
            return RequestInput(
                letter_type,
                father,
                subject=PartyInput(resident=baby),
                parties={
                    "ibu": PartyInput(resident=mother),
                    "ayah": PartyInput(resident=father),
                    "pelapor": PartyInput(resident=father),
                    "saksi_1": PartyInput(resident=people.adult()),
                    "saksi_2": PartyInput(resident=people.adult()),
                },
                fields=fields,
                purpose=plan.purpose,
            )
        return None
    return RequestInput(letter_type, people.adult(), fields=fields, purpose=plan.purpose)


def _signer(plan: Plan, request: LetterRequest, users: dict[str, User]) -> User:
    """The planned signer; the secretary signs "a.n." only where the head gave a mandat
    (in the demo register: Kemiren), elsewhere the head signs."""
    from kampung.authority.services import may_act
    from kampung.letters.services_requests import sign_act

    wanted = users.get(plan.signer)
    if wanted is not None and may_act(wanted, sign_act(request.letter_type), request.village).allowed:
        return wanted
    return users.get("kades") or users["lurah"]


def _run(plan: Plan, request: LetterRequest, users: dict[str, User], account: ResidentAccount | None) -> None:
    """Take a submitted request along the life cycle to the plan's final state."""
    from kampung.letters import services_requests as svc

    operator = users.get("operator") or users[plan.signer]
    if plan.final == S.CANCELLED:
        by = account.user if plan.channel == ONLINE and account is not None else operator
        svc.request_cancel(actor=by, request=request, reason="Pemohon tidak jadi memerlukan surat ini.")
        return
    if plan.final == S.REJECTED:
        svc.request_reject(actor=users[plan.verifier], request=request, reason=plan.reason)
        return
    target = _PATH.index(S(plan.final))
    if target >= 1:
        svc.request_verify(actor=users[plan.verifier], request=request, note="Data sesuai buku induk.")
    if target >= 2:
        svc.request_sign(actor=_signer(plan, request, users), request=request, wet=plan.wet)
    if target >= 3:
        svc.request_issue(actor=operator, request=request)
    if target >= 4:
        svc.request_hand_over(actor=operator, request=request, note="Diambil sendiri oleh pemohon.")


def _backdate(requests: list[LetterRequest], rng: random.Random) -> None:
    """Move the timestamps of requests without a document back over the last four weeks
    (the services stamp 'now'); the target date is recomputed from the service time."""
    from kampung.letters.selectors import effective_sla_days
    from kampung.regions.calendar import add_working_days

    now = timezone.now()
    for request in requests:
        if request.document_id is not None:
            continue
        days = rng.randint(0, 27) if request.status != S.SUBMITTED else rng.randint(0, 8)
        submitted = now - dt.timedelta(days=days, hours=rng.randint(0, 6), minutes=rng.randint(0, 59))
        local = timezone.localtime(submitted).date()
        sla = effective_sla_days(village=request.village, letter_type=request.letter_type)
        request.submitted_at = submitted
        request.due_on = add_working_days(request.village, local, sla)
        fields = ["submitted_at", "due_on"]
        events = list(request.events.order_by("at", "pk"))
        step = dt.timedelta(hours=rng.randint(1, 20)) if days else dt.timedelta(minutes=10)
        for i, event in enumerate(events):
            event.at = min(submitted + step * i, now)
            event.save(update_fields=["at"])
        if request.closed_at is not None and events:
            request.closed_at = events[-1].at
            fields.append("closed_at")
        LetterRequest.objects.filter(pk=request.pk).update(**{f: getattr(request, f) for f in fields})


def _village_requests(
    village: Region, plans: tuple[Plan, ...], seed: int, result: LettersResult
) -> ResidentAccount | None:
    from kampung.letters import services_requests as svc

    rng = random.Random(f"{seed}:letters:{village.code}")
    users = _users(village.code)
    types = LetterType.objects.in_bulk([p.slug for p in plans], field_name="slug")
    people = _People(village, rng)
    account = None
    if "operator" in users:
        account, created = _ensure_account(village, users["operator"])
        result.accounts += int(created)
        if account is not None:
            people.used.add(account.resident_id)
    made: list[LetterRequest] = []
    for plan in plans:
        data = _input(plan, people, account, types)
        if data is None:
            result.skipped.append(f"{village.name}: {plan.slug}")
            continue
        actor = account.user if plan.channel == ONLINE and account is not None else None
        actor = actor or users.get("operator") or users[plan.signer]
        request = svc.request_submit(actor=actor, village=village, channel=plan.channel, data=data)
        _run(plan, request, users, account)
        request.refresh_from_db()
        made.append(request)
        result.by_status[request.status] += 1
    _backdate(made, rng)
    result.requests += len(made)
    return account


def letters_fill(*, seed: int, on_village: Callable[[Region], None] | None = None) -> LettersResult:
    """Make sure the regency has a signing key, then give each demo village that has no
    letter requests yet its demo set (and its resident a NIK + PIN account)."""
    result = LettersResult()
    info, created = signing_key_ensure(REGENCY_CODE)
    if created:
        result.key_created = info.kid
    regions = Region.objects.in_bulk(list(DEMO_VILLAGE_CODES))
    for code in DEMO_VILLAGE_CODES:
        village = regions[code]
        if not LetterRequest.objects.filter(village=village).exists():
            plans = DESA_PLANS if code in VILLAGE_SET_CODES else KELURAHAN_PLANS
            with transaction.atomic():
                _village_requests(village, plans, seed, result)
            result.villages += 1
            if on_village is not None:
                on_village(village)
    result.resident_logins = resident_logins()
    return result


def resident_logins() -> list[ResidentLogin]:
    """The demo residents' NIK + PIN logins (for the logins table)."""
    logins = []
    for code in VILLAGE_SET_CODES:
        village = Region.objects.get(code=code)
        resident = account_resident(village)
        if resident is not None and ResidentAccount.objects.filter(resident=resident, active=True).exists():
            logins.append(ResidentLogin(resident.nik, DEMO_PIN, resident.name, f"{village} ({code})"))
    return logins


# --- reset ------------------------------------------------------------------------------


def letters_reset(region_code: str) -> dict[str, int]:
    """Drop the letter requests, documents, number series and resident
    accounts of every village under ``region_code``, so its residents can be deleted (called by ``demo_reset`` inside its
    transaction). Stored PDFs are removed once the transaction commits."""
    from kampung.documents.models import Document, NumberSeries
    from kampung.notifications.models import OutboxMessage

    low, high = region_code + ".", region_code + "/"  # "/" sorts right after "."
    under = {"village_id__gte": low, "village_id__lt": high}
    requests = LetterRequest.objects.filter(**under)
    request_ids = [str(pk) for pk in requests.values_list("pk", flat=True)]
    OutboxMessage.objects.filter(
        source_type=ContentType.objects.get_for_model(LetterRequest), source_id__in=request_ids
    ).delete()
    RequestEvent.objects.filter(request__in=requests).delete()
    counts = {"letter_requests": requests.delete()[1].get(LetterRequest._meta.label, 0)}
    documents = Document.objects.filter(**under)
    files = [(d.file.storage, str(d.file.name)) for d in documents if d.file]
    counts["documents"] = documents.delete()[1].get(Document._meta.label, 0)
    NumberSeries.objects.filter(**under).delete()

    def _remove_files() -> None:
        for storage, name in files:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("demo reset: could not remove %s", name)

    transaction.on_commit(_remove_files)
    accounts = ResidentAccount.objects.filter(
        resident__village_id__gte=low, resident__village_id__lt=high
    ).select_related("user")
    removed = 0
    for account in accounts:
        user = account.user
        account.delete()
        removed += 1
        try:
            with transaction.atomic():
                user.delete()
        except ProtectedError:
            # The audit trail keeps its actor: free the NIK login name for the rebuilt resident.
            user.username = f"{user.username}-x{user.pk}"[:150]
            user.is_active = False
            user.save(update_fields=["username", "is_active"])
    counts["resident_accounts"] = removed
    return counts
