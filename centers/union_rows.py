"""Model instances of querysets of *different* models, read in one ``UNION ALL``.

A ``UNION`` needs the same columns in every branch, so each branch selects its fields as one
JSON object (``pack``) beside a label and the primary key; ``unpack`` makes the instance again
with ``Model.from_db`` — the fields named, their forward relations as instances of their own,
annotations as attributes — exactly what ``QuerySet.only(...)`` with ``select_related`` would
have given. The to-do list reads the rows of every kind of task this way (``centers.todo``).

Which fields a caller reads is declared with the query (``only``), like ``QuerySet.only``; a
field left out is loaded by Django on first access, one query per row, which the query-count
tests catch.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.db.models import DecimalField, F, Field, Model, QuerySet
from django.db.models.functions import JSONObject
from django.utils import timezone


@cache
def _marker(model: type[Model]) -> str:
    """A field of ``model`` that is never null: null in a joined row means the row is not
    there (a history record's key has no constraint; its object may be gone)."""
    for field in model._meta.concrete_fields:
        if not (field.null or field.primary_key or field.is_relation):
            return field.name
    raise ValueError(f"{model._meta.label}: no field that is never null")


def _paths(model: type[Model], only: Iterable[str], annotations) -> list[str]:
    """``only`` with, for each relation walked, its key and a field that tells whether the
    row is there (``center__name`` needs ``center`` — its id — to make the centre)."""
    paths: dict[str, None] = {}
    for path in only:
        if path in annotations:
            paths[path] = None
            continue
        current = model
        parts = path.split("__")
        for depth, name in enumerate(parts):
            field = current._meta.get_field(name)
            if depth < len(parts) - 1:
                if not (field.many_to_one or field.one_to_one) or not field.concrete:
                    raise ValueError(f"{path}: only forward relations can be followed")
                relation = "__".join(parts[: depth + 1])
                paths[relation] = None
                current = field.related_model
                paths[f"{relation}__{_marker(current)}"] = None
            elif field.is_relation:
                raise ValueError(f"{path}: name a field of the related object, not the relation")
        paths[path] = None
    return list(paths)


def pack(rows: QuerySet, only: Iterable[str]) -> JSONObject:
    """The fields ``only`` names (paths like ``center__name``, or annotations of ``rows``)
    as one JSON object, the branch's column for ``unpack``."""
    return JSONObject(
        **{path: F(path) for path in _paths(rows.model, only, rows.query.annotations)}
    )


def _python(field: Field, raw: Any) -> Any:
    if isinstance(field, DecimalField) and raw is not None:
        # JSON has numbers only: back to the column's scale (1.00, not 1.0), not via a float.
        return Decimal(str(raw)).quantize(Decimal(1).scaleb(-field.decimal_places))
    value = field.to_python(raw)
    # SQLite keeps timestamps as naive UTC text; PostgreSQL writes the offset into the JSON.
    if isinstance(value, datetime.datetime) and settings.USE_TZ and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def _instance(model: type[Model], db: str, pk: Any, values: dict[str, Any]) -> Model:
    """``values``: field name → JSON value of this model's own fields, relation name → the
    related object's values (a dict, its ``pk`` among them)."""
    attrs: dict[str, Any] = {model._meta.pk.attname: pk}
    related: dict[Field, Model | None] = {}
    for name, raw in values.items():
        field = model._meta.get_field(name)
        if field.is_relation:
            target = field.related_model
            related_pk = raw.pop("pk", None)
            attrs[field.attname] = related_pk
            # As select_related: no object where the key is empty or its row is gone.
            there = related_pk is not None and raw.get(_marker(target)) is not None
            related[field] = _instance(target, db, related_pk, raw) if there else None
        else:
            attrs[field.attname] = _python(field, raw)
    fields = model._meta.concrete_fields
    instance = model.from_db(
        db, list(attrs), [attrs[f.attname] for f in fields if f.attname in attrs]
    )
    for field, value in related.items():
        field.set_cached_value(instance, value)
    return instance


def unpack(rows: QuerySet, pk: Any, packed: dict[str, Any]) -> Model:
    """The instance of ``rows``' model that ``pack`` wrote into ``packed``."""
    annotations = rows.query.annotations
    tree: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for path, raw in packed.items():
        if path in annotations:
            extra[path] = _python(annotations[path].output_field, raw)
            continue
        *relations, name = path.split("__")
        node = tree
        for relation in relations:
            node = node.setdefault(relation, {})
        if _is_relation(rows.model, path):  # the relation itself: the related object's key
            node.setdefault(name, {})["pk"] = raw
        else:
            node[name] = raw
    instance = _instance(rows.model, rows.db, pk, tree)
    for name, value in extra.items():
        setattr(instance, name, value)
    return instance


@cache
def _is_relation(model: type[Model], path: str) -> bool:
    field = None
    for name in path.split("__"):
        field = model._meta.get_field(name)
        model = field.related_model if field.is_relation else model
    return bool(field and field.is_relation)
