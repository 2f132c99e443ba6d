"""The raw SQL of user choice, and only here (docs/architecture.md, "Where raw SQL lives").

**Why SQL.** The monthly settlement of a scheme is one ``INSERT … SELECT`` per price model that
writes every provider's statement lines at once (visits ⋈ decisions ⋈ choices ⋈ rates, grouped by
provider, decision and band). The benchmark (benchmarks/choice_settlement.py: 10 000 users and
≈ 300 000 visits in a month, under 2 s on PostgreSQL) rules out loading the visits into Python.

Both statements run on PostgreSQL and on SQLite (the embedded default); the few differences are
fragments chosen by :func:`~servicetorg.core.db.is_postgresql`: the number of days between two
dates, and the two-argument ``LEAST``/``GREATEST`` (SQLite's scalar ``MIN``/``MAX``).

The rules (the hand-computed statements of tests/choice/test_settlement.py check them):

- *Days served*: for each provider and decision, the days of the month within both the decision's
  period and the provider's choice (not cancelled). A switch in the month splits the decided hours.
- *Decided minutes* per band: hours per week × days served ÷ 7 × 60, rounded to the minute.
- *Performed minutes*: the visits that started in the month (Oslo time), counted for the provider
  that performed them: attested ones (``settle_on = attested``) or every visit not cancelled
  (``settle_on = decided``); a visit shorter than its band's minimum visit counts as the minimum.
- *Paid minutes*: ``settle_on = decided``: the decided minutes. Otherwise the performed minutes,
  capped by the decided ones unless the ordering unit approved the deviation (any visit of the line
  marked ``deviation_approved``); ``capped`` says the cap took something.
- *Amount*: paid minutes ÷ 60 × the band's rate, rounded to øre (a band without a rate: 0).
- *Daily price model*: days served × the rate of the decision's care level.

Only draft settlements of the (scheme, month) get lines (the service made them and emptied them);
an approved or paid statement is never written again.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from django.db import connection

from servicetorg.core.db import is_postgresql

from .models import (
    Choice,
    Decision,
    DecisionHours,
    Rate,
    Settlement,
    SettlementLine,
    SettlementState,
    Visit,
    VisitState,
)


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _c(model, field: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field).column)


def _vendor(postgresql: bool) -> dict[str, str]:
    if postgresql:
        return {"least": "LEAST", "greatest": "GREATEST", "days": "({a} - {b})"}
    return {"least": "MIN", "greatest": "MAX", "days": "CAST(julianday({a}) - julianday({b}) AS INTEGER)"}


def _served_cte(v: dict[str, str]) -> str:
    """``served(provider_id, decision_id, days)``: days of the month each provider served each
    decision of the scheme. Parameters: :func:`_served_params`."""
    c, d = _t(Choice), _t(Decision)
    start = (
        f"{v['greatest']}(%s, "
        f"{v['greatest']}(d.{_c(Decision, 'valid_from')}, c.{_c(Choice, 'effective_from')}))"
    )
    end = (
        f"{v['least']}(COALESCE(d.{_c(Decision, 'valid_until')}, %s), "
        f"{v['least']}(COALESCE(c.{_c(Choice, 'effective_until')}, %s), %s))"
    )
    days = v["days"].format(a=end, b=start)
    return (
        f"served AS (SELECT c.{_c(Choice, 'provider')} AS provider_id, d.id AS decision_id, "  # noqa: S608
        f"SUM({days} + 1) AS days "
        f"FROM {c} c JOIN {d} d ON d.id = c.{_c(Choice, 'decision')} "
        f"WHERE d.{_c(Decision, 'scheme')} = %s AND c.{_c(Choice, 'state')} <> 'cancelled' "
        f"AND c.{_c(Choice, 'effective_from')} <= %s AND d.{_c(Decision, 'valid_from')} <= %s "
        f"AND (c.{_c(Choice, 'effective_until')} IS NULL OR c.{_c(Choice, 'effective_until')} >= %s) "
        f"AND (d.{_c(Decision, 'valid_until')} IS NULL OR d.{_c(Decision, 'valid_until')} >= %s) "
        f"GROUP BY c.{_c(Choice, 'provider')}, d.id)"
    )


def _served_params(scheme_id: int, first: date, last: date) -> list:
    first, last = connection.ops.adapt_datefield_value(first), connection.ops.adapt_datefield_value(last)
    return [last, last, last, first, scheme_id, last, last, first, first]


def _line_columns() -> str:
    names = (
        "settlement",
        "decision",
        "band",
        "decided_minutes",
        "performed_minutes",
        "paid_minutes",
        "days",
        "rate",
        "amount",
        "capped",
    )
    return ", ".join(_c(SettlementLine, name) for name in names)


def _settlements_join(alias: str = "l") -> str:
    s = _t(Settlement)
    return (
        f"JOIN {s} s ON s.{_c(Settlement, 'scheme')} = %s AND s.{_c(Settlement, 'month')} = %s "
        f"AND s.{_c(Settlement, 'provider')} = {alias}.provider_id "
        f"AND s.{_c(Settlement, 'state')} = '{SettlementState.DRAFT.value}'"
    )


@cache
def _hourly_sql(postgresql: bool) -> str:
    v = _vendor(postgresql)
    visit, decision, hours, rate = _t(Visit), _t(Decision), _t(DecisionHours), _t(Rate)
    minimum = f"COALESCE(r.{_c(Rate, 'minimum_minutes')}, 0)"
    vm = f"v.{_c(Visit, 'minutes')}"
    return (
        f"WITH {_served_cte(v)}, "  # noqa: S608 (identifiers only; values are parameters)
        "decided AS (SELECT s.provider_id, s.decision_id, h.{band} AS band, "
        "CAST(ROUND(h.{per_week} * 60.0 * s.days / 7) AS INTEGER) AS minutes "
        "FROM served s JOIN {hours} h ON h.{hours_decision} = s.decision_id), "
        "performed AS (SELECT v.{provider} AS provider_id, v.{visit_decision} AS decision_id, "
        "v.{vband} AS band, "
        "SUM(CASE WHEN {vm} < {minimum} THEN {minimum} ELSE {vm} END) AS minutes, "
        "MAX(CASE WHEN v.{approved} THEN 1 ELSE 0 END) AS approved "
        "FROM {visit} v JOIN {decision} d ON d.id = v.{visit_decision} "
        "LEFT JOIN {rate} r ON r.{rate_scheme} = d.{scheme} AND r.{rate_band} = v.{vband} "
        "WHERE d.{scheme} = %s AND v.{starts} >= %s AND v.{starts} < %s "
        "AND (v.{state} = '{attested}' OR (%s = 'decided' AND v.{state} <> '{cancelled}')) "
        "GROUP BY v.{provider}, v.{visit_decision}, v.{vband}), "
        "both_ AS (SELECT provider_id, decision_id, band, minutes AS decided, 0 AS performed, 0 AS approved "
        "FROM decided UNION ALL SELECT provider_id, decision_id, band, 0, minutes, approved FROM performed), "
        "lines AS (SELECT provider_id, decision_id, band, SUM(decided) AS decided, "
        "SUM(performed) AS performed, "
        "MAX(approved) AS approved FROM both_ GROUP BY provider_id, decision_id, band), "
        "paid AS (SELECT l.*, CASE WHEN %s = 'decided' THEN l.decided "
        "WHEN l.approved = 1 OR l.performed <= l.decided THEN l.performed ELSE l.decided END AS paid, "
        "(%s <> 'decided' AND l.approved = 0 AND l.performed > l.decided) AS capped FROM lines l) "
        "INSERT INTO {line} ({columns}) "
        "SELECT s.id, l.decision_id, l.band, l.decided, l.performed, l.paid, 0, COALESCE(r.{amount}, 0), "
        "ROUND(l.paid * COALESCE(r.{amount}, 0) / 60.0, 2), l.capped "
        "FROM paid l {settlements} "
        "LEFT JOIN {rate} r ON r.{rate_scheme} = %s AND r.{rate_band} = l.band"
    ).format(
        band=_c(DecisionHours, "band"),
        per_week=_c(DecisionHours, "hours_per_week"),
        hours=hours,
        hours_decision=_c(DecisionHours, "decision"),
        provider=_c(Visit, "provider"),
        visit_decision=_c(Visit, "decision"),
        vband=_c(Visit, "band"),
        vm=vm,
        minimum=minimum,
        approved=_c(Visit, "deviation_approved"),
        visit=visit,
        decision=decision,
        rate=rate,
        rate_scheme=_c(Rate, "scheme"),
        rate_band=_c(Rate, "band"),
        scheme=_c(Decision, "scheme"),
        starts=_c(Visit, "starts_at"),
        state=_c(Visit, "state"),
        attested=VisitState.ATTESTED.value,
        cancelled=VisitState.CANCELLED.value,
        line=_t(SettlementLine),
        columns=_line_columns(),
        amount=_c(Rate, "amount"),
        settlements=_settlements_join(),
    )


@cache
def _daily_sql(postgresql: bool) -> str:
    v = _vendor(postgresql)
    decision, rate = _t(Decision), _t(Rate)
    return (
        f"WITH {_served_cte(v)} "  # noqa: S608 (identifiers only; values are parameters)
        f"INSERT INTO {_t(SettlementLine)} ({_line_columns()}) "
        f"SELECT s.id, l.decision_id, d.{_c(Decision, 'care_level')}, 0, 0, 0, l.days, "
        f"COALESCE(r.{_c(Rate, 'amount')}, 0), l.days * COALESCE(r.{_c(Rate, 'amount')}, 0), "
        f"(1 = 0) "
        f"FROM served l JOIN {decision} d ON d.id = l.decision_id {_settlements_join()} "
        f"LEFT JOIN {rate} r ON r.{_c(Rate, 'scheme')} = %s "
        f"AND r.{_c(Rate, 'band')} = d.{_c(Decision, 'care_level')} "
        f"WHERE d.{_c(Decision, 'care_level')} <> '' AND l.days > 0"
    )


def insert_hourly_lines(
    *, scheme_id: int, month: date, last: date, starts: datetime, ends: datetime, settle_on: str
) -> int:
    """Write the lines of every draft settlement of (scheme, month) under the hourly price model:
    one statement. Returns the rows written."""
    params = _served_params(scheme_id, month, last)
    # As the ORM binds them (SQLite keeps times as UTC text: an aware Oslo time would compare wrong).
    starts, ends = (connection.ops.adapt_datetimefield_value(t) for t in (starts, ends))
    params += [
        scheme_id,
        starts,
        ends,
        settle_on,
        settle_on,
        settle_on,
        scheme_id,
        connection.ops.adapt_datefield_value(month),
        scheme_id,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_hourly_sql(is_postgresql()), params)
        return cursor.rowcount


def insert_daily_lines(*, scheme_id: int, month: date, last: date) -> int:
    """Write the lines of every draft settlement of (scheme, month) under the daily price model
    (per place per day by care level): one statement. Returns the rows written."""
    params = _served_params(scheme_id, month, last) + [
        scheme_id,
        connection.ops.adapt_datefield_value(month),
        scheme_id,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_daily_sql(is_postgresql()), params)
        return cursor.rowcount


# --- Staff continuity (the public comparison of providers) -----------------------------------------
# Why SQL: the figure is an average over (user, period) groups of a COUNT(DISTINCT helper), an
# aggregate of an aggregate, which the ORM cannot write (it has no subquery in FROM); counting
# distinct concatenated keys in the ORM instead was about twice as slow on 100 000 visits
# (benchmarks/choice_comparison.py).


def continuity_rows(provider_ids: list[int], boundaries: list[datetime]) -> list[tuple[int, int, int, int]]:
    """(provider, distinct helpers summed over its (user, period) groups, number of groups, users)
    for the visits not cancelled that started in [boundaries[0], boundaries[-1]), a period being
    the span between two consecutive boundaries. One statement for all providers."""
    if not provider_ids or len(boundaries) < 2:
        return []
    visit = _t(Visit)
    cases = " ".join(f"WHEN {_c(Visit, 'starts_at')} < %s THEN {i}" for i in range(len(boundaries) - 2))
    period = f"CASE {cases} ELSE {len(boundaries) - 2} END" if cases else "0"
    marks = ", ".join(["%s"] * len(provider_ids))
    # Distinct (provider, user, period, helper) first (a hash aggregate), then counted per group.
    sql = f"""
        SELECT g.provider_id, SUM(g.n), COUNT(*), COUNT(DISTINCT g.decision_id)
        FROM (
            SELECT t.provider_id, t.decision_id, t.period, COUNT(*) AS n
            FROM (
                SELECT DISTINCT {_c(Visit, "provider")} AS provider_id,
                       {_c(Visit, "decision")} AS decision_id,
                       {period} AS period, {_c(Visit, "staff_pseudonym")} AS helper
                FROM {visit}
                WHERE {_c(Visit, "provider")} IN ({marks})
                  AND {_c(Visit, "starts_at")} >= %s AND {_c(Visit, "starts_at")} < %s
                  AND {_c(Visit, "state")} <> %s
            ) t
            GROUP BY t.provider_id, t.decision_id, t.period
        ) g
        GROUP BY g.provider_id
    """  # noqa: S608 — names from the models, every value a parameter
    params = [*boundaries[1:-1], *provider_ids, boundaries[0], boundaries[-1], VisitState.CANCELLED.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(p), int(h), int(n), int(u)) for p, h, n, u in cursor.fetchall()]


def insert_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Many rows of one table at once, without the ORM's per-row work (a school round's run writes a
    placement per applicant: 100 000 through ``bulk_create`` took 4.6 s on PostgreSQL, the 3 s target
    of the whole run; benchmarks/choice_allocation_command.py): ``COPY … FROM STDIN`` on PostgreSQL,
    ``executemany`` on SQLite. Each value as its column takes it: ids, text, numbers (a decimal as
    its text), booleans, None for NULL. The columns are the model's own (never user input)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        if is_postgresql():
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
