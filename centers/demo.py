"""Demo data for centres and people (``manage.py seed_demo``).

Deterministic (a random generator seeded per centre) and idempotent (every
row is found by its natural key first). Fictitious people get no usable
password; the named demo accounts share ``settings.DEMO_PASSWORD``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils.text import slugify

from . import services
from .models import Center, CenterStatus, Membership, MunicipalityKind, Role, SchoolAuthority

FIRST_NAMES = [
    "Anna",
    "Ayşe",
    "Benedikt",
    "Claudia",
    "Daniel",
    "Derya",
    "Elena",
    "Emre",
    "Fatma",
    "Frank",
    "Gabriele",
    "Hakan",
    "Ines",
    "Jan",
    "Julia",
    "Katharina",
    "Kemal",
    "Laura",
    "Leon",
    "Magdalena",
    "Marco",
    "Maria",
    "Markus",
    "Mehmet",
    "Miriam",
    "Natalia",
    "Nils",
    "Olga",
    "Paul",
    "Petra",
    "Rania",
    "Sabine",
    "Sebastian",
    "Selin",
    "Stefan",
    "Tanja",
    "Thomas",
    "Ursula",
    "Viktor",
    "Yusuf",
]
LAST_NAMES = [
    "Arslan",
    "Bauer",
    "Becker",
    "Brandt",
    "Çelik",
    "Demir",
    "Fischer",
    "Friedrich",
    "Hartmann",
    "Hoffmann",
    "Jansen",
    "Kaya",
    "Keller",
    "Klein",
    "Koch",
    "Krüger",
    "Lange",
    "Lehmann",
    "Meyer",
    "Möller",
    "Müller",
    "Neumann",
    "Nowak",
    "Öztürk",
    "Peters",
    "Richter",
    "Schäfer",
    "Schmidt",
    "Schneider",
    "Schulz",
    "Schwarz",
    "Sommer",
    "Wagner",
    "Weber",
    "Wolf",
    "Yılmaz",
    "Zimmermann",
]
STAFF_FUNCTIONS = [
    "Bildungskoordination Schule",
    "Seiteneinstieg und Beratung",
    "Elementarbereich",
    "Übergang Schule–Beruf",
    "Laiensprachmittlerpool",
    "Ehrenamtskoordination",
    "Verwaltungsassistenz",
    "Antirassismusarbeit",
]

# Named demo accounts (README): centre key → short name.
DEMO_CENTERS = {"05315": "koeln", "05314": "bonn", "05158": "mettmann"}
STATE_ACCOUNTS = [
    ("lasi", Role.LASI, "Lena", "Albers"),
    ("bewilligung", Role.FUNDING, "Bernd", "Voss"),
]

User = get_user_model()


@dataclass
class _Accounts:
    password_hash: str

    def named(self, username, first, last, email, **extra) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": email, **extra},
        )
        if created or not user.has_usable_password():
            user.password = self.password_hash
            user.save(update_fields=["password"])
        return user

    @staticmethod
    def fictitious(username, first, last, email) -> User:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "email": email}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user


def _person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def _email(first: str, last: str, domain: str) -> str:
    return f"{slugify(first)}.{slugify(last)}@{domain}"


def _center_details(center: Center, rng: random.Random) -> None:
    sponsor = center.sponsor
    town = sponsor.name.removeprefix("Kreis ").removeprefix("StädteRegion ")
    building = "Kreishaus" if sponsor.kind == MunicipalityKind.DISTRICT else "Stadthaus"
    changed = False
    defaults = {
        "street": f"{building}, {rng.choice(['Hauptstraße', 'Rathausplatz', 'Am Markt'])} {rng.randint(1, 40)}",
        "postal_code": f"{rng.randint(32000, 59999):05d}",
        "city": town,
        "email": f"ki@{slugify(town)}.example",
        "phone": f"0{rng.randint(200, 299)} {rng.randint(100000, 999999)}",
        "founded_on": f"{rng.choice([2013, 2013, 2014, 2015])}-{rng.randint(1, 12):02d}-01",
        "status": CenterStatus.FOUNDING if rng.random() < 0.04 else CenterStatus.ACTIVE,
    }
    for field, value in defaults.items():
        if not getattr(center, field):
            setattr(center, field, value)
            changed = True
    if changed:
        services.center_save(center=center)


def seed(*, scale: int = 1, stdout=None) -> dict[str, int]:
    accounts = _Accounts(password_hash=make_password(settings.DEMO_PASSWORD))

    ministry = accounts.named(
        "ministerium",
        "Miriam",
        "Steiner",
        "ministerium@mkjfgfi.example",
        is_staff=True,
        is_superuser=True,
    )
    services.membership_grant(user=ministry, role=Role.MINISTRY, function="Referat Integration")
    for username, role, first, last in STATE_ACCOUNTS:
        user = accounts.named(username, first, last, f"{username}@bezreg-arnsberg.example")
        services.membership_grant(user=user, role=role)

    authorities = {a.pk: a for a in SchoolAuthority.objects.all()}
    for authority in authorities.values():
        rng = random.Random(f"sa-{authority.key}")
        first, last = _person(rng)
        if not authority.contact_name:
            authority.contact_name = f"{first} {last}"
            authority.contact_email = _email(first, last, f"schulamt-{authority.key}.example")
            authority.contact_phone = f"0{rng.randint(200, 299)} {rng.randint(100000, 999999)}"
            authority.full_clean()
            authority.save()

    centers = list(Center.objects.select_related("sponsor", "school_authority").order_by("key"))
    demo_sa_users = {}
    for center in centers:
        rng = random.Random(f"center-{center.key}")
        _center_details(center, rng)
        domain = f"ki-{center.key}.example"
        short = DEMO_CENTERS.get(center.key)

        first, last = _person(rng)
        if short:
            lead = accounts.named(f"ki-{short}-leitung", first, last, _email(first, last, domain))
        else:
            lead = accounts.fictitious(
                f"ki-{center.key}-leitung", first, last, _email(first, last, domain)
            )
        services.membership_grant(
            user=lead, role=Role.CENTER_LEAD, center=center, function="Leitung"
        )

        if short:
            first, last = _person(rng)
            staff = accounts.named(f"ki-{short}", first, last, _email(first, last, domain))
            services.membership_grant(
                user=staff, role=Role.CENTER_STAFF, center=center, function=STAFF_FUNCTIONS[0]
            )
            first, last = _person(rng)
            sponsor = accounts.named(
                f"traeger-{short}",
                first,
                last,
                _email(first, last, f"traeger-{center.key}.example"),
            )
            services.membership_grant(
                user=sponsor, role=Role.SPONSOR, center=center, function="Dezernat Integration"
            )
            first, last = _person(rng)
            demo_sa_users[center.school_authority_id] = accounts.named(
                f"schulamt-{short}",
                first,
                last,
                _email(first, last, f"schulamt-{center.school_authority.key}.example"),
            )
        _fictitious_staff(center, rng, scale, accounts, domain)

    for authority_id, authority in authorities.items():
        user = demo_sa_users.get(authority_id)
        if user is None:
            rng = random.Random(f"sa-user-{authority.key}")
            first, last = _person(rng)
            user = accounts.fictitious(
                f"schulamt-{authority.key}",
                first,
                last,
                _email(first, last, f"schulamt-{authority.key}.example"),
            )
        services.membership_grant(
            user=user,
            role=Role.SCHOOL_AUTHORITY,
            school_authority=authority,
            function="Integration durch Bildung",
        )
    return {"centers": len(centers), "memberships": Membership.objects.count()}


def _fictitious_staff(center, rng, scale, accounts, domain) -> None:
    """Three Mitarbeitende and one Träger contact per centre, times ``scale``."""
    for n in range(3 * scale):
        first, last = _person(rng)
        user = accounts.fictitious(
            f"ki-{center.key}-m{n + 1:02d}", first, last, _email(first, last, domain)
        )
        services.membership_grant(
            user=user,
            role=Role.CENTER_STAFF,
            center=center,
            function=STAFF_FUNCTIONS[n % len(STAFF_FUNCTIONS)],
        )
    if center.key not in DEMO_CENTERS:
        first, last = _person(rng)
        user = accounts.fictitious(
            f"traeger-{center.key}",
            first,
            last,
            _email(first, last, f"traeger-{center.key}.example"),
        )
        services.membership_grant(
            user=user, role=Role.SPONSOR, center=center, function="Dezernat Integration"
        )
