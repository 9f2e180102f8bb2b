"""django-import-export resources: the staffing list in the import's column format.

The ministry's admin exports through ``StaffingListResource`` (tablib underneath, every
cell text); the portal's downloads write typed XLSX themselves (``staffing.exporting``).
Both take their columns and values from ``staffing.exporting``: the same columns
(with ``Stelle``), the same German labels, every cell escaped against formula injection
and formatted so that the import reads it back unchanged.
"""

from django.core.exceptions import ValidationError
from import_export import fields, resources
from import_export.formats import base_formats
from import_export.results import Result, RowResult

from . import exporting, importing, spreadsheet
from .models import Assignment


def _column(name: str) -> fields.Field:
    return fields.Field(
        column_name=exporting.HEADER_OF[name],
        dehydrate_method=lambda obj: exporting.text_cell(exporting.column_value(obj, name)),
    )


class StaffingListResource(resources.ModelResource):
    center = _column("center")
    last_name = _column("last_name")
    first_name = _column("first_name")
    email = _column("email")
    kind = _column("kind")
    post_label = _column("post_label")
    fte = _column("fte")
    start = _column("start")
    end = _column("end")
    role = _column("role")
    seconding_school = _column("seconding_school")
    qualification = _column("qualification")

    class Meta:
        model = Assignment
        fields = tuple(exporting.NAMES)
        export_order = fields

    def get_queryset(self):
        return exporting.staffing_list()

    def import_data(self, dataset, dry_run=False, raise_errors=False, user=None, **kwargs):
        """The admin's import runs the portal's import (``staffing.imports``): the same
        parsing, rules, per-row permission and one transaction; the outcome is handed
        back as django-import-export's ``Result`` for its preview page."""
        from .imports import staffing_list_import

        rows: list[importing.RowResult] = []
        outcome = staffing_list_import(
            source=spreadsheet.iter_dataset(dataset), user=user, dry_run=dry_run, on_row=rows.append
        )
        return import_result(outcome, sorted(rows, key=lambda r: r.number))


IMPORT_TYPES = {
    importing.NEW: RowResult.IMPORT_TYPE_NEW,
    importing.CHANGED: RowResult.IMPORT_TYPE_UPDATE,
    importing.UNCHANGED: RowResult.IMPORT_TYPE_SKIP,
}


def import_result(outcome: spreadsheet.ImportResult, rows: list[importing.RowResult]) -> Result:
    result = Result()
    result.diff_headers = ["Inhalt", "geänderte Spalten"]
    for message in outcome.file_errors:
        result.append_invalid_row(1, {}, ValidationError(message))
    for row in rows:
        if row.status == importing.ERROR:
            errors: dict[str, list[str]] = {}
            for column, message in row.errors:
                errors.setdefault(column, []).append(message)
            result.append_invalid_row(row.number, {"Inhalt": row.label()}, ValidationError(errors))
            continue
        row_result = RowResult()
        row_result.import_type = IMPORT_TYPES[row.status]
        row_result.object_repr = row.label()
        row_result.diff = [row.label(), ", ".join(row.changes)]
        result.append_row_result(row_result)
        result.increment_row_result_total(row_result)
    return result


class _GermanExcelFormat:
    """Reads bytes the way the portal's import does (encoding, delimiter, XLSX)."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        data = in_stream if isinstance(in_stream, bytes) else in_stream.encode("utf-8")
        return spreadsheet.to_dataset(data)


class GermanCSV(_GermanExcelFormat, base_formats.CSV):
    def get_title(self):
        return "csv (Excel, ; oder ,)"

    def export_data(self, dataset, **kwargs):
        return ("\ufeff" + dataset.export("csv", delimiter=";", lineterminator="\r\n")).encode(
            "utf-8"
        )


class GermanXLSX(_GermanExcelFormat, base_formats.XLSX):
    pass
