"""Importing responses from CSV (e.g. a punched paper survey)."""

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from servicetorg.core.permissions import user_of

from ..models import ImportLog, QuestionKind, ResponseSource, Survey, SurveyState
from ..permissions import require_edit
from .answering import CleanAnswer, _store, lock, questions_of, release, validate_answers


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_responses_csv(
    survey: Survey, content: str | bytes, *, skip_bad_rows: bool = False, user
) -> ImportReport:
    """Import responses from CSV (e.g. a punched paper survey).

    The header names question codes (columns separated by ";", "," or tab, as in the header line);
    choice answers are option codes, several in one cell separated by "|" (or by ";" or "," when
    that is not the column separator);
    an optional column ``submitted_on`` (YYYY-MM-DD). Every bad row is reported with its line; a
    file with bad rows imports nothing unless ``skip_bad_rows``. Only the survey's editors import
    (a unit leader into her unit's surveys). A closed survey takes no more answers (its results are
    final). Every import, also a refused one, is logged (:class:`ImportLog`: who, when, how many, the
    file's SHA-256).
    """
    require_edit(user, survey)
    digest = hashlib.sha256(content.encode() if isinstance(content, str) else content).hexdigest()
    with transaction.atomic():  # the answers and their log entry together
        report = _import(survey, content, skip_bad_rows=skip_bad_rows, user=user)
        ImportLog.objects.create(
            survey=survey,
            user=user_of(user),
            actor=user.get_username()[:150],
            imported=report.imported,
            rejected=len(report.errors),
            sha256=digest,
            refused=_printable(report.errors[0][1])[:200] if report.errors and not report.imported else "",
        )
    return report


def _printable(text: str) -> str:
    """An error message as a log field: no control characters (a CSV error can quote a NUL byte,
    which PostgreSQL's text fields refuse)."""
    return "".join(c if c.isprintable() else " " for c in str(text))


def _import(survey: Survey, content: str | bytes, *, skip_bad_rows: bool, user) -> ImportReport:
    if survey.state == SurveyState.CLOSED:
        closed = _("The survey is closed: its results are final and take no answers.")
        return ImportReport(errors=[(0, closed)])
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return ImportReport(errors=[(0, _("The file is not UTF-8 text."))])
    content = content.lstrip("\ufeff")
    first_line = content.split("\n", 1)[0]
    delimiter = max([";", ",", "\t"], key=first_line.count)
    # Several options in one cell: "1|3", or "1;3" / "1,3" when that is not the column separator.
    separators = "|" + "".join(sep for sep in ";," if sep != delimiter)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    report = ImportReport()
    try:
        header = [h.strip() for h in next(reader)]
        rows = list(reader)
    except StopIteration:
        report.errors.append((1, _("The file is empty.")))
        return report
    except csv.Error as exc:  # e.g. a stray carriage return or NUL inside a cell
        message = _("The file cannot be read as CSV: %(error)s") % {"error": exc}
        report.errors.append((reader.line_num, message))
        return report
    questions = questions_of(survey)
    by_code = {q.code: q for q in questions}
    unknown = [h for h in header if h and h not in by_code and h != "submitted_on"]
    if unknown:
        report.errors.append((1, _("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)}))
        return report
    if not any(h in by_code for h in header):
        report.errors.append((1, _("No column names a question of this survey.")))
        return report
    good: list[tuple[list[CleanAnswer], date | None]] = []
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            report.errors.append((line, _("The row has more cells than the header.")))
            continue
        values = dict(zip(header, row, strict=False))
        submitted_on = None
        if values.get("submitted_on", "").strip():
            try:
                submitted_on = date.fromisoformat(values["submitted_on"].strip())
            except ValueError:
                report.errors.append((line, _("submitted_on: use a date like 2026-03-31.")))
                continue
        raw = {}
        for code, cell in values.items():
            if code in by_code:
                question = by_code[code]
                if question.kind == QuestionKind.MULTIPLE_CHOICE:
                    raw[code] = re.split(f"[{re.escape(separators)}]", cell)
                else:
                    raw[code] = cell
        clean, errors, _kept = validate_answers(questions, raw, require=True)
        if errors:
            message = "; ".join(f"{code}: {msg}" for code, msg in errors.items())
            report.errors.append((line, message))
            continue
        if not clean:
            report.errors.append((line, _("The row answers no question.")))
            continue
        good.append((clean, submitted_on))
    if report.errors and not skip_bad_rows:
        return report
    with transaction.atomic():
        lock(survey)
        for clean, submitted_on in good:
            _store(survey, clean, ResponseSource.IMPORT, submitted_on)
        # Imported answers join the pool as the portal's do: fewer than the threshold wait.
        release(survey, user=user)
    report.imported = len(good)
    return report
