"""Facet counts of search pages: for each filter, how many of the current results have each value,
counted in one query over the results' own SQL and written next to the filter's options.

The job board and the resource library share it; each names its columns.
"""

import hashlib
from dataclasses import dataclass, field

from django import forms
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection

from .forms import option_tags

FACET_SECONDS = 60


@dataclass(frozen=True)
class Facets:
    """What to count, by filter name: plain columns, boolean columns, JSON lists of values, and rows
    of a related table (table, foreign key column, value column). Values are model field names."""

    key: str
    columns: dict[str, str] = field(default_factory=dict)
    flags: dict[str, str] = field(default_factory=dict)
    lists: dict[str, str] = field(default_factory=dict)
    related: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [*self.columns, *self.flags, *self.lists, *self.related]


def facet_counts(queryset, facets: Facets) -> dict:
    """Counts per value of each facet over the search results, and their total, in one query.

    Cached for a minute under the query's own SQL, which carries the searcher's visibility: counting
    every row of a large table reads the whole table (about 100 ms at 200,000 jobs), so counts and
    totals may lag a new row by up to a minute, while the results themselves are always current.
    """
    counts = {name: {} for name in facets.names}
    model = queryset.model
    pk = model._meta.pk.name
    # values() names each column of the results after its field: the statements below use those names.
    fields = [pk, *facets.columns.values(), *facets.flags.values(), *facets.lists.values()]
    try:
        sql, params = queryset.order_by().values(*fields).query.sql_with_params()
    except EmptyResultSet:
        return counts | {"total": 0}
    key = _cache_key(facets.key, sql, params)
    if key is not None and (cached := cache.get(key)) is not None:
        return cached
    # The statements below name only our own tables and columns; the searcher's input stays in `params`.
    parts = ["SELECT 'total', NULL, COUNT(*) FROM f"]
    parts += [
        f"SELECT '{name}', {field_name}, COUNT(*) FROM f GROUP BY {field_name}"  # noqa: S608
        for name, field_name in facets.columns.items()
    ]
    parts += [
        f"SELECT '{name}', CASE WHEN {field_name} THEN 'true' ELSE 'false' END, COUNT(*) FROM f"  # noqa: S608
        f" GROUP BY {field_name}"
        for name, field_name in facets.flags.items()
    ]
    # Rows with an empty list are skipped before the list is taken apart: calling the set-returning
    # function once for each of 200,000 mostly empty lists took a fifth of the query.
    for name, field_name in facets.lists.items():
        if connection.vendor == "postgresql":
            parts.append(
                f"SELECT '{name}', x.value, COUNT(*) FROM f"  # noqa: S608
                f" CROSS JOIN LATERAL jsonb_array_elements_text(f.{field_name}) AS x(value)"
                f" WHERE f.{field_name} <> '[]' GROUP BY x.value"
            )
        else:
            parts.append(
                f"SELECT '{name}', x.value, COUNT(*) FROM f, json_each(f.{field_name}) AS x"  # noqa: S608
                f" WHERE f.{field_name} <> '[]' GROUP BY x.value"
            )
    parts += [
        f"SELECT '{name}', r.{value}, COUNT(*) FROM f JOIN {table} r ON r.{foreign_key} = f.{pk}"  # noqa: S608
        f" GROUP BY r.{value}"
        for name, (table, foreign_key, value) in facets.related.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"WITH f AS ({sql}) " + " UNION ALL ".join(parts), params)
        for name, value, count in cursor.fetchall():
            if name == "total":
                counts["total"] = count
            else:
                counts[name][value] = count
    if key is not None:
        cache.set(key, counts, FACET_SECONDS)
    return counts


def _param_text(param) -> str:
    # The driver wraps JSON values (a containment test's list) in an adapter whose repr is its
    # address in memory: the value it wraps is what identifies the query (psycopg2 `adapted`,
    # psycopg 3 `obj`).
    for attribute in ("adapted", "obj"):
        if hasattr(param, attribute):
            return f"{type(param).__name__}({getattr(param, attribute)!r})"
    return repr(param)


def _cache_key(prefix: str, sql: str, params) -> str | None:
    """The same key for the same query and values, or None when a value prints only as an object's
    address: such a key would never be met again and fill the cache with one entry per request."""
    text = repr((sql, [_param_text(param) for param in params]))
    if " object at 0x" in text:
        return None
    return f"{prefix}:facets:" + hashlib.sha256(text.encode()).hexdigest()


def filter_fields(form, counts: dict) -> list[dict]:
    """A search form's filters as includes/filters.html writes them: label, the value asked for, errors,
    and for a choice its options with the number of results next to each.

    Written from the form's data rather than through its widgets: rendering the few hundred countries
    and languages through Django's widget templates took a few milliseconds of every search page.
    """
    fields = []
    for name, form_field in form.fields.items():
        value = form.data.get(name) or ""
        entry = {"name": name, "label": form_field.label, "value": value, "errors": form.errors.get(name, ())}
        choices = form_field.choices if hasattr(form_field, "choices") else getattr(form_field.widget, "choices", None)
        if choices is not None:
            entry["kind"] = "select"
            entry["options"] = option_tags(choices, {value}, counts.get(name))
        elif isinstance(form_field.widget, forms.CheckboxInput):
            entry["kind"] = "checkbox"
            entry["checked"] = form_field.widget.value_from_datadict(form.data, {}, name)
        else:
            entry["kind"] = "date" if isinstance(form_field, forms.DateField) else "text"
            entry["max_length"] = getattr(form_field, "max_length", None)
        fields.append(entry)
    return fields
