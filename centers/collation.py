"""German alphabetical order for names, the same in Python, SQLite and PostgreSQL.

German dictionary order (DIN 5007-1, the CLDR/ICU default for ``de``): Ä sorts with A,
Ö with O, Ü with U and ß as "ss" — "Schäfer" before "Schwarz", "Özdemir" before "Weiß".
Nothing here spells out such rules: the order is the Unicode Collation Algorithm's,
computed by ICU inside PostgreSQL and by pyuca in Python (and, through it, in SQLite).

- Name columns declare ``db_collation=COLLATION``, so every ``ORDER BY`` on them (lists,
  dropdowns, exports) is German without further code.
- PostgreSQL: migration ``centers.0004`` creates the collation from ICU's ``de-DE``.
- SQLite: ``register_sqlite_collation`` (connected in ``CentersConfig.ready``) registers it
  on every new connection, migrations and tests included.
- Columns we do not own (``auth.User``) are ordered with ``collate("user__last_name")``;
  lists built in Python are sorted with ``sort_key``.

Equality stays exact: strings that collate alike ("Strauss", "Strauß") are still different
values, so unique constraints and ``=`` lookups behave as before (ICU collations are
deterministic; the SQLite comparison breaks ties by code point, as PostgreSQL does).
"""

from __future__ import annotations

from functools import cache, lru_cache

from django.db.models import F
from django.db.models.functions import Collate

COLLATION = "kiportal_de"
# The ICU locale PostgreSQL builds the collation from (migration centers.0004 writes it out).
ICU_LOCALE = "de-DE"


@cache
def _collator():
    import pyuca  # loads the Unicode collation table (about 0.3 s): only when first needed

    return pyuca.Collator()


@lru_cache(maxsize=16384)
def sort_key(text: str | None) -> tuple:
    """Key for ``sorted``: German order, ties (e.g. "Strauss"/"Strauß") broken by code point."""
    text = text or ""
    return (_collator().sort_key(text), text)


def compare(a: str | None, b: str | None) -> int:
    """-1, 0 or 1; 0 only for equal strings (a deterministic collation)."""
    ka, kb = sort_key(a), sort_key(b)
    return (ka > kb) - (ka < kb)


def collate(field: str):
    """``order_by(collate("user__last_name"))`` for columns declared without our collation."""
    return Collate(F(field), COLLATION)


def register_sqlite_collation(sender, connection, **kwargs):
    """``connection_created`` receiver: SQLite knows no ICU, so Python supplies the order."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(COLLATION, compare)
