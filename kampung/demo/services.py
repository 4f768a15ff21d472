"""Building the demo regency: Banyuwangi's regions, synthetic residents, accounts, officials.

Every step looks at what is already there and adds only what is missing, so running the
build again reuses the demo (and resumes one that was interrupted) without duplicates.
"""

from __future__ import annotations

import random
from base64 import b32encode
from binascii import unhexlify
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django_otp.plugins.otp_totp.models import TOTPDevice

from kampung.accounts.models import Official, RoleAssignment, User
from kampung.accounts.roles import role_label
from kampung.accounts.services import assignment_add, official_save, user_create, user_update
from kampung.accounts.services_two_factor import two_factor_roles
from kampung.audit.models import AuditEntry
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError
from kampung.demo.assistance import AssistanceResult, assistance_fill, assistance_reset
from kampung.demo.authority import ensure_delegations
from kampung.demo.bulk import FillResult, population_fill, villages_with_families
from kampung.demo.cast import (
    DEMO_PASSWORD,
    DEMO_VILLAGE_CODES,
    DISTRICT_CODES,
    REGENCY_CODE,
    VALID_FROM,
    VILLAGE_SET_CODES,
    Cast,
    demo_cast,
    demo_usernames,
)
from kampung.demo.events import EventsResult, events_fill
from kampung.demo.finance import FinanceResult, finance_fill
from kampung.demo.finance_execution import ExecutionResult, execution_fill
from kampung.demo.kiosk import KioskResult, kiosk_fill, kiosk_reset
from kampung.demo.letters import LettersResult, letters_fill, letters_reset
from kampung.demo.monitoring import MonitoringResult, monitoring_fill, regency_activity_fill
from kampung.demo.population import VillagePlan, regency_plan
from kampung.population.models import Family, LifeEvent, Resident, ResidentNameToken
from kampung.regions.models import Kind, Level, Region, VillageProfile
from kampung.regions.services import regions_load, village_profile_update

SCALE_SMALL = "small"
SCALE_REGENCY = "regency"
SCALES = (SCALE_SMALL, SCALE_REGENCY)
DEFAULT_SEED = 2018
REGENCY_RESIDENTS = 1_700_000  # Banyuwangi, 2020 census: 1.71 million
SMALL_RESIDENTS = (300, 450)  # per demo village
# Banyuwangi in the Kemendagri list (domain.md §5.5): 25 kecamatan, 189 desa + 28 kelurahan.
DISTRICTS = 25
VILLAGES = 217

BUILD_ACT = "demo.build"
DEMO_DEVICE_NAME = "Demo (kunci tercetak)"
RESET_ACT = "demo.reset"


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role: str
    region: str
    totp_secret: str = ""  # base32, for an authenticator app (roles that need two-factor sign-in)


@dataclass
class DemoResult:
    seed: int
    scale: str
    regions_loaded: bool = False
    population: FillResult = field(default_factory=FillResult)
    events: EventsResult = field(default_factory=EventsResult)
    users_created: int = 0
    users_restored: int = 0
    officials_created: int = 0
    profiles_saved: int = 0
    delegations_created: int = 0
    letters: LettersResult = field(default_factory=LettersResult)
    finance: FinanceResult = field(default_factory=FinanceResult)
    execution: ExecutionResult = field(default_factory=ExecutionResult)
    assistance: AssistanceResult = field(default_factory=AssistanceResult)
    monitoring: MonitoringResult = field(default_factory=MonitoringResult)
    kiosk: KioskResult = field(default_factory=KioskResult)
    reset: dict[str, int] = field(default_factory=dict)
    districts: int = 0
    villages: int = 0
    families: int = 0
    residents: int = 0
    logins: list[Login] = field(default_factory=list)

    @property
    def created_anything(self) -> bool:
        return bool(
            self.regions_loaded
            or self.population.villages
            or self.events.villages
            or self.users_created
            or self.users_restored
            or self.officials_created
            or self.profiles_saved
            or self.delegations_created
            or self.letters.requests
            or self.letters.accounts
            or self.letters.key_created
            or self.finance.budgets
            or self.execution.villages
            or self.execution.live
            or self.assistance.cases
            or self.monitoring.letters.requests
            or self.monitoring.cases.cases
            or self.monitoring.visits
            or self.kiosk.announcements
            or self.kiosk.tickets
            or self.reset
        )


def demo_plans(*, scale: str, seed: int, regency_residents: int = REGENCY_RESIDENTS) -> list[VillagePlan]:
    """Which villages get residents, and how many: the demo villages (small) or all (regency)."""
    if scale not in SCALES:
        raise KampungError(f"Skala '{scale}' tidak dikenal: pilih {' atau '.join(SCALES)}.")
    if scale == SCALE_REGENCY:
        villages = Region.objects.filter(code__startswith=REGENCY_CODE + ".", level=Level.VILLAGE).order_by(
            "code"
        )
        rows = [(v.code, v.name, v.kind) for v in villages]
        return regency_plan(villages=rows, total=regency_residents, seed=seed)
    rng = random.Random(f"{seed}:small")
    regions = Region.objects.in_bulk(list(DEMO_VILLAGE_CODES))
    return [
        VillagePlan(code, regions[code].name, regions[code].kind, rng.randint(*SMALL_RESIDENTS))
        for code in DEMO_VILLAGE_CODES
    ]


def demo_build(
    *,
    seed: int = DEFAULT_SEED,
    scale: str = SCALE_SMALL,
    reset: bool = False,
    regency_residents: int = REGENCY_RESIDENTS,
    on_start: Callable[[int], None] | None = None,
    on_village: Callable[[VillagePlan, int, int], None] | None = None,
) -> DemoResult:
    """Build the demo regency, or reuse it when it is already built.

    Not one transaction: each village's residents, each account and each official commit on
    their own, so an interrupted build keeps what it made and the next run goes on from there.

    Refuses a database that holds anything but the demo (see :func:`check_demo_database`).
    A demo already built keeps the seed it was built with; ``reset`` rebuilds it with ``seed``.
    ``on_start`` is told how many residents are about to be generated, ``on_village`` is
    called after each village (for a progress bar).
    """
    if scale not in SCALES:
        raise KampungError(f"Skala '{scale}' tidak dikenal: pilih {' atau '.join(SCALES)}.")
    check_demo_database()
    built = None if reset else built_seed()
    if built is not None:
        seed = built  # an existing demo keeps its people
    result = DemoResult(seed=seed, scale=scale)
    result.regions_loaded = _ensure_regions()
    if reset:
        result.reset = demo_reset()
    plans = demo_plans(scale=scale, seed=seed, regency_residents=regency_residents)
    done = villages_with_families([p.code for p in plans])
    if on_start is not None:
        on_start(sum(p.residents for p in plans if p.code not in done))
    result.population = population_fill(plans=plans, seed=seed, on_village=on_village)
    result.events = events_fill(plans=plans, seed=seed)
    names = dict(Region.objects.filter(code__in=_demo_region_codes()).values_list("code", "name"))
    cast = demo_cast(seed=seed, names=names, resident_names=_resident_names(VILLAGE_SET_CODES))
    regions = Region.objects.in_bulk(_demo_region_codes())
    result.users_created, result.users_restored = _ensure_accounts(cast, regions, restore=reset)
    totp_secrets = _ensure_two_factor(cast)
    result.officials_created = _ensure_officials(cast, regions)
    result.profiles_saved = _ensure_profiles(cast, regions)
    result.delegations_created = ensure_delegations()
    result.letters = letters_fill(seed=seed)
    # Every desa of the regency keeps a budget (about 1 s for 189), so the district and regency
    # summaries show a whole regency even when only a few villages have residents.
    every_village = Region.objects.filter(code__startswith=REGENCY_CODE + ".", level=Level.VILLAGE)
    result.finance = finance_fill(village_codes=every_village.values_list("code", flat=True), seed=seed)
    # A year of transactions (1 January to today) for every desa with an enacted budget.
    result.execution = execution_fill(
        village_codes=every_village.values_list("code", flat=True),
        seed=seed,
        programme_villages=VILLAGE_SET_CODES,
    )
    # RTLH and BLT Dana Desa in the desa with accounts, through the real services.
    result.assistance = assistance_fill(seed=seed)
    if scale == SCALE_REGENCY:
        # The dashboards show a whole regency: letters and cases in every other village too.
        codes = list(every_village.values_list("code", flat=True))
        result.monitoring = regency_activity_fill(village_codes=codes, seed=seed)
    # The public site and the kiosk: announcements, BLT names published, a morning's queue.
    result.kiosk = kiosk_fill()
    if result.created_anything:
        audit_record(
            actor=None,
            act=BUILD_ACT,
            region=REGENCY_CODE,
            object_type="demo",
            object_id=REGENCY_CODE,
            after={
                "seed": seed,
                "scale": scale,
                "villages_filled": result.population.villages,
                "residents_added": result.population.residents,
                "families_added": result.population.families,
                "life_events_added": result.events.events,
                "users_created": result.users_created,
                "officials_created": result.officials_created,
                "delegations_created": result.delegations_created,
                "letter_requests_added": result.letters.requests,
                "finance_books_filled": result.execution.villages,
                "finance_entries_added": result.execution.entries,
                "assistance_cases_added": result.assistance.cases,
            },
        )
    # Roll-ups for the dashboards (from the marks this build's writes left), the district's
    # field visits in the demo desa, and the alerts.
    monitoring_fill(result.monitoring, seed=seed, rebuild=bool(result.reset))
    _count(result)
    result.logins = demo_logins(cast=cast, regions=regions, totp_secrets=totp_secrets)
    return result


def _demo_region_codes() -> list[str]:
    return [REGENCY_CODE, *DISTRICT_CODES, *DEMO_VILLAGE_CODES]


def built_seed() -> int | None:
    """The seed the demo in this database was built with (None when none was built)."""
    # Both acts are recorded at the regency, so they are numbered in one chain.
    entries = AuditEntry.objects.filter(act__in=[BUILD_ACT, RESET_ACT], region_code=REGENCY_CODE)
    entry = entries.order_by("-seq").first()
    if entry is None or entry.act == RESET_ACT or not isinstance(entry.after, dict):
        return None
    seed = entry.after.get("seed")
    return seed if isinstance(seed, int) else None


def check_demo_database() -> None:
    """The demo is built only into an empty database or one that holds the demo already:
    its accounts have a published password, which must never reach a real deployment."""
    if AuditEntry.objects.filter(act=BUILD_ACT).exists():
        return
    if User.objects.exclude(username__in=demo_usernames()).exists():
        raise KampungError(
            "Basis data ini sudah berisi pengguna selain akun demo, jadi demo tidak dibangun di sini "
            "(akun demo memakai kata sandi yang diketahui umum). Gunakan basis data lain: atur "
            "KAMPUNG_VAR_DIR atau DATABASE_URL."
        )


def _ensure_regions() -> bool:
    """Load Banyuwangi from the Kemendagri list unless it is there already."""
    under = Region.objects.filter(code__startswith=REGENCY_CODE + ".")
    if (
        Region.objects.filter(code=REGENCY_CODE).exists()
        and under.filter(level=Level.DISTRICT).count() == DISTRICTS
        and under.filter(level=Level.VILLAGE).count() == VILLAGES
    ):
        return False
    regions_load(prefix=REGENCY_CODE)
    return True


def _resident_names(codes: tuple[str, ...]) -> dict[str, str]:
    """The head of each village's first family: the demo resident account is that person."""
    names: dict[str, str] = {}
    for code in codes:
        family = Family.objects.filter(village_id=code, head__isnull=False).select_related("head").first()
        if family is not None and family.head is not None:
            names[code] = family.head.name
    return names


def _ensure_accounts(cast: Cast, regions: dict[str, Region], *, restore: bool) -> tuple[int, int]:
    """Create missing demo accounts; with ``restore``, give kept ones back their demo state."""
    existing = {u.username: u for u in User.objects.filter(username__in=cast.usernames())}
    created = restored = 0
    for account in cast.accounts:
        region = regions[account.region_code]
        user = existing.get(account.username)
        if user is None:
            user_create(
                actor=None,
                username=account.username,
                full_name=account.full_name,
                position_title=account.position_title,
                staff_number=account.staff_number,
                phone=account.phone,
                role=account.role,
                region=region,
                valid_from=VALID_FROM,
                password=DEMO_PASSWORD,
            )
            created += 1
            continue
        if not restore:
            continue
        data = {
            "full_name": account.full_name,
            "position_title": account.position_title,
            "staff_number": account.staff_number,
            "phone": account.phone,
            "is_active": True,
        }
        user_update(actor=None, user=user, data=data)
        user.set_password(DEMO_PASSWORD)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        active = RoleAssignment.objects.filter(user=user, role=account.role, region=region).active_on(
            VALID_FROM
        )
        if not active.exists():
            assignment_add(actor=None, user=user, role=account.role, region=region, valid_from=VALID_FROM)
        restored += 1
    return created, restored


def _ensure_officials(cast: Cast, regions: dict[str, Region]) -> int:
    """Record the perangkat of each demo village that has none recorded yet."""
    recorded = set(
        Official.objects.filter(village_id__in=DEMO_VILLAGE_CODES)
        .values_list("village_id", flat=True)
        .distinct()
    )
    users = {u.username: u for u in User.objects.filter(username__in=cast.usernames())}
    created = 0
    for post in cast.officials:
        if post.village_code in recorded:
            continue
        official_save(
            actor=None,
            village=regions[post.village_code],
            name=post.name,
            position=post.position,
            staff_number=post.staff_number,
            order=post.order,
            user=users.get(post.username) if post.username else None,
        )
        created += 1
    return created


def _ensure_profiles(cast: Cast, regions: dict[str, Region]) -> int:
    profiles = VillageProfile.objects.in_bulk([p.village_code for p in cast.profiles])
    saved = 0
    for data in cast.profiles:
        wanted = {"address": data.address, "phone": data.phone, "head_name": data.head_name}
        current = profiles.get(data.village_code)
        if current is not None and all(getattr(current, k) == v for k, v in wanted.items()):
            continue
        village_profile_update(actor=None, village=regions[data.village_code], data=wanted)
        saved += 1
    return saved


def demo_reset() -> dict[str, int]:
    """Drop the demo's residents, families, officials and accounts (regions stay).

    Accounts that other records point at (the audit trail never lets go of an actor) are
    kept; the rebuild gives them back their demo name, role and password.
    """
    usernames = demo_usernames()
    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            counts.update(kiosk_reset(REGENCY_CODE))
            counts.update(assistance_reset(REGENCY_CODE))
            counts.update(letters_reset(REGENCY_CODE))
            counts["residents"], counts["families"] = _delete_population(REGENCY_CODE)
            counts["officials"], _ = Official.objects.filter(village_id__in=DEMO_VILLAGE_CODES).delete()
            deleted = kept = 0
            for user in User.objects.filter(username__in=usernames):
                try:
                    with transaction.atomic():
                        user.delete()
                    deleted += 1
                except ProtectedError:
                    kept += 1
            counts["users"], counts["users_kept"] = deleted, kept
            audit_record(actor=None, act=RESET_ACT, region=REGENCY_CODE, object_type="demo", after=counts)
    except IntegrityError as exc:
        raise KampungError(
            "Data penduduk demo sudah dipakai oleh data lain, jadi tidak dapat dihapus. "
            "Hapus basis data demo (berkas var/kampung.sqlite3) lalu bangun ulang."
        ) from exc
    return counts


def _delete_population(region_code: str) -> tuple[int, int]:
    """Delete every resident and family under a region with two statements.

    Families point at their head and residents at their family; both foreign keys are
    checked at commit, so the two deletes may go in either order. Deleting through the ORM
    would load 1.7 million rows to clear ``Family.head`` first.
    """
    low, high = region_code + ".", region_code + "/"  # "/" sorts right after "."
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Rows that point at residents go first: name tokens, and life events (append-only
        # in the register; removing the whole demo population is the one exception).
        for model in (ResidentNameToken, LifeEvent):
            cursor.execute(
                f"DELETE FROM {quote(model._meta.db_table)} WHERE village_id >= %s AND village_id < %s",
                [low, high],
            )
        cursor.execute(
            f"DELETE FROM {quote(Resident._meta.db_table)} WHERE village_id >= %s AND village_id < %s",
            [low, high],
        )
        residents = cursor.rowcount
        cursor.execute(
            f"DELETE FROM {quote(Family._meta.db_table)} WHERE village_id >= %s AND village_id < %s",
            [low, high],
        )
        families = cursor.rowcount
    return residents, families


def _count(result: DemoResult) -> None:
    under = Region.objects.filter(code__startswith=REGENCY_CODE + ".")
    result.districts = under.filter(level=Level.DISTRICT).count()
    result.villages = under.filter(level=Level.VILLAGE).count()
    low, high = REGENCY_CODE + ".", REGENCY_CODE + "/"  # "/" sorts right after "."
    result.residents = Resident.objects.filter(village_id__gte=low, village_id__lt=high).count()
    result.families = Family.objects.filter(village_id__gte=low, village_id__lt=high).count()


def demo_logins(
    *, cast: Cast, regions: dict[str, Region], totp_secrets: dict[str, str] | None = None
) -> list[Login]:
    secrets_ = totp_secrets or {}
    logins = []
    for account in cast.accounts:
        region = regions[account.region_code]
        label = role_label(account.role, kelurahan=region.kind == Kind.KELURAHAN)
        logins.append(
            Login(
                account.username,
                DEMO_PASSWORD,
                label,
                f"{region} ({region.code})",
                secrets_.get(account.username, ""),
            )
        )
    return logins


def _ensure_two_factor(cast: Cast) -> dict[str, str]:
    """Demo officials whose role needs two-factor sign-in get a confirmed authenticator; its
    secret is printed with the logins (and ``kampung demo_totp`` prints the current code), so
    visitors and tests sign in without a phone. Returns user name -> base32 secret."""
    roles = two_factor_roles()
    wanted = [a.username for a in cast.accounts if a.role in roles]
    keys = dict(
        TOTPDevice.objects.filter(user__username__in=wanted, confirmed=True).values_list(
            "user__username", "key"
        )
    )
    missing = [name for name in wanted if name not in keys]
    for user in User.objects.filter(username__in=missing) if missing else []:
        device = TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, confirmed=True)
        keys[user.username] = device.key
    return {name: b32encode(unhexlify(key)).decode("ascii") for name, key in keys.items()}
