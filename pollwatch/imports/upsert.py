"""The shared run of a tabular importer: validate all rows, then upsert by code in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from pollwatch.accounts.services import do_record_audit
from pollwatch.imports.base import Column, ImportReport, RowError, Table


class TabularImporter:
    """Subclasses declare ``kind``, ``columns`` and implement the four hooks below."""

    kind: str = ""
    columns: tuple[Column, ...] = ()
    model: Any = None

    # -- hooks ------------------------------------------------------------------------------------------------
    def existing(self, target: Any) -> dict[str, Any]:
        """The rows already in the database for ``target``, by code."""
        raise NotImplementedError

    def check_rows(self, records: list[tuple[int, dict[str, Any]]], target: Any) -> list[RowError]:
        """Cross-row checks (e.g. parents exist); per-cell checks are done by the column parsers."""
        return []

    def build(self, values: dict[str, Any], target: Any, context: dict[str, Any]) -> dict[str, Any]:
        """The model field values for one record."""
        raise NotImplementedError

    def audit_mission(self, target: Any) -> Any:
        return None

    # -- the run ----------------------------------------------------------------------------------------------
    def run(
        self,
        table: Table,
        *,
        target: Any,
        dry_run: bool = False,
        mapping: Mapping[str, str] | None = None,
        user: Any = None,
    ) -> ImportReport:
        report = ImportReport(kind=self.kind, dry_run=dry_run)
        resolved = table.resolve(self.columns, mapping)
        records: list[tuple[int, dict[str, Any]]] = []
        first_row: dict[str, int] = {}
        for number, values, errors in table.records(self.columns, resolved):
            report.rows += 1
            report.errors.extend(errors)
            code = values.get("code")
            if code:
                if code in first_row:
                    report.errors.append(
                        RowError(number, "code", f"duplicate code {code!r} (also on row {first_row[code]})")
                    )
                    continue
                first_row[code] = number
            if not errors:
                records.append((number, values))
        if report.rows == 0:
            report.errors.append(RowError(0, "", "the file has a header but no data rows"))
        report.errors.extend(self.check_rows(records, target))
        report.errors.sort(key=lambda e: (e.row, e.column))
        if report.errors:
            return report
        with transaction.atomic():
            self._upsert(records, target, report)
            if dry_run:
                transaction.set_rollback(True)
            else:
                do_record_audit(
                    f"import.{self.kind}",
                    user=user,
                    mission=self.audit_mission(target),
                    obj=target,
                    detail={"source": table.source, "created": report.created, "updated": report.updated},
                )
        return report

    def _upsert(self, records: list[tuple[int, dict[str, Any]]], target: Any, report: ImportReport) -> None:
        existing = self.existing(target)
        context: dict[str, Any] = {}
        new, changed = [], []
        changed_fields: set[str] = set()
        for _number, values in records:
            fields = self.build(values, target, context)
            current = existing.get(values["code"])
            if current is None:
                new.append(self.model(**fields))
                continue
            diff = {k for k, v in fields.items() if getattr(current, k) != v}
            if diff:
                for k in diff:
                    setattr(current, k, fields[k])
                changed.append(current)
                changed_fields |= diff
            else:
                report.unchanged += 1
        self.model.objects.bulk_create(new, batch_size=2000)
        if changed:
            self.model.objects.bulk_update(changed, sorted(changed_fields), batch_size=2000)
        report.created, report.updated = len(new), len(changed)
