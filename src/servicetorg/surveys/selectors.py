"""Read queries of surveys. Results aggregate in the database (GROUP BY with COUNT, SUM, SUM of squares)
so that their cost is a few grouped scans, whatever the number of answers; stats.py does the rest.

Every result below reads the *released pool* while the survey takes answers (:func:`pool`; models
docstring): a response counts once it is released with at least the threshold of others, or once
answering has ended. Results pages, breakdowns, correlations, exports, the API and the figures
published as indicators (open data) all read through here.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.utils import timezone
from scipy import stats as _scipy_stats

from servicetorg.core.permissions import Perm
from servicetorg.core.tenancy import scope

from . import stats
from .disclosure import protect_groups
from .models import Answer, Question, QuestionKind, Response, Survey, SurveyAccess, SurveyState


def surveys_for(user) -> QuerySet[Survey]:
    """Surveys the user may see as staff, with what lists show."""
    return scope(
        Survey.objects.select_related("municipality", "service", "unit"), user, Perm.SURVEY_READ
    ).annotate(response_count=Count("responses"))


def open_surveys(municipality) -> QuerySet[Survey]:
    """Open-link surveys of a municipality that take answers today (for the portal)."""
    today = timezone.localdate()
    return (
        Survey.objects.filter(
            municipality=municipality,
            state=SurveyState.PUBLISHED,
            access=SurveyAccess.OPEN_LINK,
            opens_on__lte=today,
            closes_on__gte=today,
        )
        .select_related("service", "unit")
        .order_by("closes_on", "title")
    )


def pool(survey: Survey) -> Q:
    """The responses (or answers: both have ``released``) that results may count: the released ones
    while the survey takes answers, all of them once answering has ended."""
    return Q() if survey.results_final() else Q(released=True)


def _pool_sql(survey: Survey, alias: str) -> tuple[str, list]:
    """:func:`pool` as a condition on answer table ``alias`` in raw SQL, with its parameters."""
    return ("", []) if survey.results_final() else (f"AND {alias}.released = %s ", [True])


def response_count(survey: Survey) -> int:
    """Responses counted in the results (the released pool while the survey takes answers)."""
    return Response.objects.filter(pool(survey), survey=survey).count()


def waiting_count(survey: Survey) -> int:
    """Responses that wait to be released to the live results (none once answering has ended)."""
    if survey.results_final():
        return 0
    return Response.objects.filter(survey=survey, released=False).count()


@dataclass
class QuestionResult:
    question: Question
    respondents: int = 0  # responses answering the question
    table: stats.FrequencyTable | None = None
    summary: stats.Summary | None = None
    text_count: int = 0
    suppressed: bool = False  # fewer respondents than the anonymity threshold


@dataclass
class SurveyResults:
    survey: Survey
    responses: int  # counted in the results: the released pool while the survey takes answers
    questions: list[QuestionResult] = field(default_factory=list)
    waiting: int = 0  # responses waiting to be released (selectors docstring)

    @property
    def suppressed(self) -> bool:
        return self.responses < self.survey.anonymity_threshold


def _questions(survey: Survey) -> list[Question]:
    return list(
        survey.questions.select_related("section")
        .prefetch_related("options")
        .order_by("section__position", "position", "id")
    )


def _result_for(question: Question, groups: dict, respondents: int, threshold: int) -> QuestionResult:
    result = QuestionResult(question=question, respondents=respondents)
    if respondents < threshold:
        result.suppressed = True
        return result
    if question.kind == QuestionKind.FREE_TEXT:
        result.text_count = respondents
        return result
    if question.is_choice:
        options = list(question.options.all())
        categories = [
            (o.value, o.label, groups.get(o.pk, {}).get("n", 0), o.excluded)
            for o in sorted(options, key=lambda o: (o.excluded, o.position, o.value))
        ]
        base = None
        if question.kind == QuestionKind.MULTIPLE_CHOICE:
            valid_respondents = respondents - groups.get("_excluded_only", 0)
            base = max(valid_respondents, 0)
        result.table = stats.frequency_table(categories, base=base, threshold=threshold)
    if question.is_scale:
        n = sum(g["v"] for g in groups.values() if isinstance(g, dict))
        s = sum(g["s"] or 0 for g in groups.values() if isinstance(g, dict))
        ss = sum(g["ss"] or 0 for g in groups.values() if isinstance(g, dict))
        mins = [g["min"] for g in groups.values() if isinstance(g, dict) and g["min"] is not None]
        maxs = [g["max"] for g in groups.values() if isinstance(g, dict) and g["max"] is not None]
        result.summary = stats.summary(n, s, ss, min(mins) if mins else None, max(maxs) if maxs else None)
    return result


def _grouped(survey_filter: Q) -> tuple[dict, dict]:
    """(groups[question_id][option_id] = {n, v, s, ss, min, max}, respondents[question_id])."""
    rows = (
        Answer.objects.filter(survey_filter)
        .values("question_id", "option_id")
        .annotate(
            n=Count("id"),
            v=Count("value"),
            s=Sum("value"),
            ss=Sum(F("value") * F("value")),
            min=Min("value"),
            max=Max("value"),
        )
        .order_by()
    )
    groups: dict = defaultdict(dict)
    for row in rows:
        groups[row["question_id"]][row["option_id"]] = row
    return groups


def survey_results(survey: Survey) -> SurveyResults:
    """Per question: frequency table (valid %, Sum row, "don't know" apart), mean/SD/95% CI for scales.

    Three grouped queries (answers by question and option; respondents of multiple-choice questions;
    the response count) besides reading the questionnaire.
    """
    questions = _questions(survey)
    total = response_count(survey)
    results = SurveyResults(survey=survey, responses=total, waiting=waiting_count(survey))
    if not questions:
        return results
    groups = _grouped(Q(survey=survey) & pool(survey))
    multi = [q.pk for q in questions if q.kind == QuestionKind.MULTIPLE_CHOICE]
    respondents_multi: dict[int, int] = {}
    excluded_only: dict[int, int] = {}
    if multi:
        for row in (
            Answer.objects.filter(pool(survey), question_id__in=multi)
            .values("question_id")
            .annotate(r=Count("response_id", distinct=True))
            .order_by()
        ):
            respondents_multi[row["question_id"]] = row["r"]
        for row in (
            Answer.objects.filter(pool(survey), question_id__in=multi, option__excluded=True)
            .values("question_id")
            .annotate(r=Count("response_id", distinct=True))
            .order_by()
        ):
            excluded_only[row["question_id"]] = row["r"]
    threshold = survey.anonymity_threshold
    for question in questions:
        q_groups = groups.get(question.pk, {})
        if question.pk in respondents_multi:
            respondents = respondents_multi[question.pk]
            q_groups = {**q_groups, "_excluded_only": excluded_only.get(question.pk, 0)}
        else:
            respondents = sum(g["n"] for g in q_groups.values())
        results.questions.append(_result_for(question, q_groups, respondents, threshold))
    return results


def question_result(question: Question) -> QuestionResult:
    released = pool(question.survey)
    groups = _grouped(Q(question=question) & released)
    q_groups = groups.get(question.pk, {})
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        respondents = (
            Answer.objects.filter(released, question=question).values("response_id").distinct().count()
        )
        excluded = (
            Answer.objects.filter(released, question=question, option__excluded=True)
            .values("response_id")
            .distinct()
            .count()
        )
        q_groups = {**q_groups, "_excluded_only": excluded}
    else:
        respondents = sum(g["n"] for g in q_groups.values())
    return _result_for(question, q_groups, respondents, question.survey.anonymity_threshold)


def free_texts(question: Question, limit: int = 500) -> list[str] | None:
    """Free-text answers in random order (never the order they came in), or None when fewer than the
    anonymity threshold answered."""
    qs = Answer.objects.filter(pool(question.survey), question=question).exclude(text="")
    if qs.count() < question.survey.anonymity_threshold:
        return None
    texts = list(qs.order_by("?").values_list("text", flat=True)[:limit])
    _shuffle(texts)
    return texts


def _shuffle(items: list) -> None:
    """Shuffle with the operating system's randomness: the order must not be reproducible."""
    import random

    random.SystemRandom().shuffle(items)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def crosstab(question: Question, by: Question, *, decimals: int = 0) -> stats.Crosstab:
    """``question``'s options by the groups of background question ``by`` (column percentages).

    Respondents answering "don't know" are left out, groups under the anonymity threshold hidden.
    """
    answer = _table(Answer)
    released, released_params = _pool_sql(question.survey, "a")  # a and b: the same response
    sql = (
        f"SELECT a.option_id, b.option_id, COUNT(*) FROM {answer} a "  # noqa: S608 - table names only
        f"JOIN {answer} b ON a.response_id = b.response_id "
        "WHERE a.question_id = %s AND b.question_id = %s AND a.option_id IS NOT NULL "
        f"AND b.option_id IS NOT NULL {released}GROUP BY a.option_id, b.option_id"
    )
    with connection.cursor() as cursor:
        # Why SQL: a self-join of answers by respondent
        cursor.execute(sql, [question.pk, by.pk, *released_params])
        raw = cursor.fetchall()
    rows = [o for o in question.options.all() if not o.excluded]
    cols = [o for o in by.options.all() if not o.excluded]
    row_index = {o.pk: i for i, o in enumerate(rows)}
    col_index = {o.pk: j for j, o in enumerate(cols)}
    counts = {}
    for a, b, n in raw:
        if a in row_index and b in col_index:
            counts[(row_index[a], col_index[b])] = n
    # The categories' counts in the whole survey, as the results page shows them: the crosstab must
    # not let them give back a hidden column (the differencing attack; disclosure.py).
    overall = dict(
        Answer.objects.filter(pool(question.survey), question=question, option__in=rows)
        .values_list("option_id")
        .annotate(n=Count("response_id", distinct=True))
    )
    return stats.crosstab(
        [o.label for o in rows],
        [o.label for o in cols],
        counts,
        threshold=question.survey.anonymity_threshold,
        decimals=decimals,
        row_totals=[overall.get(o.pk, 0) for o in rows],
    )


@dataclass
class GroupMean:
    label: str
    summary: stats.Summary | None
    suppressed: bool


def means_by_group(survey: Survey, by: Question) -> tuple[list[Question], list[str], dict]:
    """Mean of every scale question per group of background question ``by`` (e.g. per unit).

    Returns (scale questions, group labels, {(question_id, label): GroupMean}); groups under the
    anonymity threshold are suppressed.
    """
    answer = _table(Answer)
    scale_questions = [q for q in _questions(survey) if q.is_scale and q.pk != by.pk]
    groups = [o for o in by.options.all() if not o.excluded]
    if not scale_questions or not groups:
        return scale_questions, [], {}
    released, released_params = _pool_sql(survey, "a")
    sql = (
        f"SELECT a.question_id, b.option_id, COUNT(a.value), SUM(a.value), SUM(a.value * a.value) "  # noqa: S608
        f"FROM {answer} a JOIN {answer} b ON a.response_id = b.response_id "
        "WHERE a.survey_id = %s AND b.question_id = %s AND a.value IS NOT NULL AND a.question_id <> %s "
        f"{released}GROUP BY a.question_id, b.option_id"
    )
    with connection.cursor() as cursor:
        # Why SQL: self-join by respondent, sums in SQL
        cursor.execute(sql, [survey.pk, by.pk, by.pk, *released_params])
        raw = cursor.fetchall()
    sums = {(q, o): (n, s, ss) for q, o, n, s, ss in raw}
    sizes = dict(
        Answer.objects.filter(pool(survey), question=by)
        .values_list("option_id")
        .annotate(n=Count("response_id", distinct=True))
    )
    threshold = survey.anonymity_threshold
    # Each question's mean over all its respondents is published (results page): the groups not
    # shown must together hold none or at least ``threshold`` of them (disclosure.protect_groups).
    totals = dict(
        Answer.objects.filter(pool(survey), question__in=scale_questions, value__isnull=False)
        .values_list("question_id")
        .annotate(n=Count("id"))
    )
    cells = {}
    for q in scale_questions:
        group_sizes = [sums.get((q.pk, g.pk), (0, 0.0, 0.0))[0] for g in groups]
        small = {i for i, g in enumerate(groups) if sizes.get(g.pk, 0) < threshold}
        protected = protect_groups(group_sizes, totals.get(q.pk, 0), threshold, small)
        for index, g in enumerate(groups):
            n, s, ss = sums.get((q.pk, g.pk), (0, 0.0, 0.0))
            hidden = index in protected or n < threshold
            cells[(q.pk, g.label)] = GroupMean(
                label=g.label,
                summary=None if hidden else stats.summary(n, s or 0.0, ss or 0.0),
                suppressed=hidden,
            )
    return scale_questions, [g.label for g in groups], cells


@dataclass
class CorrelationCell:
    x: Question
    y: Question
    correlation: stats.Correlation


def correlations(survey: Survey) -> tuple[list[Question], dict[tuple[int, int], stats.Correlation]]:
    """Pearson r with N and p-value for every pair of scale questions, from sums computed in SQL.

    Pairs answered by fewer than the anonymity threshold get no figure.
    """
    scale_questions = [q for q in _questions(survey) if q.is_scale]
    if len(scale_questions) < 2:
        return scale_questions, {}
    answer = _table(Answer)
    released, released_params = _pool_sql(survey, "a")
    sql = (
        "SELECT a.question_id, b.question_id, COUNT(*), SUM(a.value), SUM(b.value), "  # noqa: S608
        "SUM(a.value * a.value), SUM(b.value * b.value), SUM(a.value * b.value) "
        f"FROM {answer} a JOIN {answer} b ON a.response_id = b.response_id "
        # "b.survey_id = %s" only on PostgreSQL (30 ms there; without it 400 ms): with it SQLite walks
        # the survey's index for every row of a (61 s for the demo's 600 responses; 0.4 s without).
        "WHERE a.survey_id = %s AND a.question_id < b.question_id "
        + ("AND b.survey_id = %s " if connection.vendor == "postgresql" else "")
        + "AND a.value IS NOT NULL AND b.value IS NOT NULL "
        f"AND a.question_id IN ({','.join(['%s'] * len(scale_questions))}) "
        f"AND b.question_id IN ({','.join(['%s'] * len(scale_questions))}) "
        f"{released}GROUP BY a.question_id, b.question_id"
    )
    ids = [q.pk for q in scale_questions]
    with connection.cursor() as cursor:
        both = [survey.pk] if connection.vendor == "postgresql" else []
        # Why SQL: pairwise sums over a self-join
        cursor.execute(sql, [survey.pk, *both, *ids, *ids, *released_params])
        raw = cursor.fetchall()
    threshold = survey.anonymity_threshold
    result = {}
    for qa, qb, n, sx, sy, sxx, syy, sxy in raw:
        if n < threshold:
            corr = stats.Correlation(n=n, r=None, p_value=None)
        else:
            corr = stats.pearson_from_sums(n, sx, sy, sxx, syy, sxy)
        result[(qa, qb)] = corr
        result[(qb, qa)] = corr
    return scale_questions, result


@dataclass
class RoundComparison:
    code: str
    text: str
    current: stats.Summary | None
    previous: stats.Summary | None
    difference: float | None
    p_value: float | None


def compare_rounds(survey: Survey) -> list[RoundComparison]:
    """Means of the scale questions in this round and the previous one (matched by question code),
    with the difference and Welch's t-test p-value."""
    previous = survey.previous_round
    if previous is None:
        return []
    now = {r.question.code: r for r in survey_results(survey).questions if r.question.is_scale}
    before = {r.question.code: r for r in survey_results(previous).questions if r.question.is_scale}
    rows = []
    for code, current in now.items():
        old = before.get(code)
        cur_s = None if current.suppressed else current.summary
        old_s = None if old is None or old.suppressed else old.summary
        diff = p = None
        if cur_s and old_s and cur_s.mean is not None and old_s.mean is not None:
            diff = cur_s.mean - old_s.mean
            if cur_s.sd and old_s.sd and cur_s.n > 1 and old_s.n > 1:
                p = float(
                    _scipy_stats.ttest_ind_from_stats(
                        cur_s.mean, cur_s.sd, cur_s.n, old_s.mean, old_s.sd, old_s.n, equal_var=False
                    ).pvalue
                )
        rows.append(
            RoundComparison(
                code=code,
                text=current.question.text,
                current=cur_s,
                previous=old_s,
                difference=diff,
                p_value=p,
            )
        )
    return rows


def background_questions(survey: Survey) -> list[Question]:
    return [q for q in _questions(survey) if q.is_choice and q.is_background]


def export_rows(survey: Survey):
    """One row per response (answers by question code) for CSV/XLSX export, streamed in batches.

    The rows come in random order and carry neither the response's id nor its date: whoever handed
    out the invitation codes, or saw when someone answered, must not be able to line rows up with
    people. Text cells are made formula-safe by the export views (core.exports).
    """
    questions = _questions(survey)
    codes = [q.code for q in questions]
    kinds = {q.pk: q for q in questions}
    header = ["response", *codes]
    yield header
    order = list(Response.objects.filter(pool(survey), survey=survey).values_list("id", flat=True))
    _shuffle(order)
    masked = _small_background_combinations(survey, questions, order)
    background_codes = {q.code for q in questions if q.background}
    batch_size = 2000
    counter = 0
    for start in range(0, len(order), batch_size):
        ids = order[start : start + batch_size]
        chunk = [(rid, None) for rid in ids]
        cells: dict = defaultdict(lambda: defaultdict(list))
        for rid, qid, ovalue, value, text in Answer.objects.filter(response_id__in=ids).values_list(
            "response_id", "question_id", "option__value", "value", "text"
        ):
            q = kinds[qid]
            if q.is_choice:
                cells[rid][q.code].append(str(ovalue))
            elif q.kind == QuestionKind.NUMBER:
                cells[rid][q.code].append(f"{value:g}")
            else:
                cells[rid][q.code].append(text)
        for rid, _unused in chunk:
            counter += 1
            hide = rid in masked
            yield [
                str(counter),
                *(HIDDEN_CELL if hide and c in background_codes else ";".join(cells[rid][c]) for c in codes),
            ]


#: An export cell withheld by disclosure control (a background answer of a small combination).
HIDDEN_CELL = "*"


def _small_background_combinations(survey: Survey, questions: list[Question], responses: list[int]) -> set:
    """Responses whose combination of background answers (e.g. service + unit) is held by fewer than
    the anonymity threshold: their background cells are withheld in row-level exports, since a row's
    service, unit and comment name the case of a service with one closed case (issue 18 §2.3). The
    withheld rows together hold none or at least the threshold (disclosure.protect_groups), so that
    the combinations missing from the export do not name them either."""
    background = [q.pk for q in questions if q.background]
    if not background or not responses:
        return set()
    combination: dict[int, list] = defaultdict(list)
    for rid, qid, option in (
        Answer.objects.filter(survey=survey, question_id__in=background)
        .order_by("question_id", "option_id")
        .values_list("response_id", "question_id", "option_id")
    ):
        combination[rid].append((qid, option))
    keys = {rid: tuple(combination.get(rid, ())) for rid in responses}
    sizes_by_key: dict[tuple, int] = defaultdict(int)
    for key in keys.values():
        sizes_by_key[key] += 1
    groups = sorted(sizes_by_key, key=repr)
    hidden = protect_groups([sizes_by_key[g] for g in groups], len(responses), survey.anonymity_threshold)
    small = {groups[i] for i in hidden}
    return {rid for rid, key in keys.items() if key in small}


@dataclass
class SurveyColumn:
    survey: Survey
    label: str


def compare_surveys(
    survey: Survey, limit: int = 20
) -> tuple[list[tuple[str, str]], list[SurveyColumn], dict]:
    """Means of the scale questions this survey shares (by code) with the municipality's other surveys
    of the same kind and year — e.g. the same user survey run for each unit.

    Returns ([(code, text)], columns, {(code, survey_id): Summary | None}); one grouped query.
    Cells with fewer answers than that survey's anonymity threshold are None.
    """
    own = {q.code: q.text for q in _questions(survey) if q.is_scale}
    if not own:
        return [], [], {}
    candidates = list(
        Survey.objects.filter(
            municipality_id=survey.municipality_id, kind=survey.kind, closes_on__year=survey.year
        )
        .exclude(state=SurveyState.DRAFT)
        .filter(questions__code__in=list(own))
        .select_related("unit", "service", "municipality")
        .distinct()
        .order_by("title")[:limit]
    )
    if len(candidates) < 2:
        return [], [], {}
    final = [s.pk for s in candidates if s.results_final()]
    rows = (
        Answer.objects.filter(Q(released=True) | Q(survey__in=final))
        .filter(survey__in=candidates, question__code__in=list(own), value__isnull=False)
        .values("survey_id", "question__code")
        .annotate(n=Count("value"), s=Sum("value"), ss=Sum(F("value") * F("value")))
        .order_by()
    )
    thresholds = {s.pk: s.anonymity_threshold for s in candidates}
    cells = {}
    for row in rows:
        key = (row["question__code"], row["survey_id"])
        cells[key] = (
            stats.summary(row["n"], row["s"] or 0.0, row["ss"] or 0.0)
            if row["n"] >= thresholds[row["survey_id"]]
            else None
        )
    shared = [
        (code, text) for code, text in own.items() if sum(1 for s in candidates if (code, s.pk) in cells) >= 2
    ]
    columns = [
        SurveyColumn(survey=s, label=s.target_label if s.unit_id or s.service_id else s.title)
        for s in candidates
    ]
    return shared, columns, cells


@dataclass
class OverallFigure:
    """A survey's overall figure: the mean of its scale (Likert) answers, on a scale up to ``top``,
    resting on ``n`` respondents; ``mean`` is None when ``n`` is under the anonymity threshold."""

    survey: Survey
    n: int
    mean: float | None
    top: int | None

    @property
    def suppressed(self) -> bool:
        return self.mean is None


def overall_figures(surveys) -> dict[int, OverallFigure]:
    """The overall figure of each survey that is not a draft (for a later app's comparisons, e.g. the
    providers of a user-choice scheme), from the results pool (:func:`pool`). Background questions
    are left out, and "don't know" answers (no value). Two grouped queries, whatever the number of
    surveys."""
    surveys = [s for s in surveys if s is not None and s.state != SurveyState.DRAFT]
    if not surveys:
        return {}
    final = [s.pk for s in surveys if s.results_final()]
    likert = Q(question__kind=QuestionKind.LIKERT, question__background="")
    rows = {
        row["survey_id"]: row
        for row in Answer.objects.filter(Q(released=True) | Q(survey__in=final))
        .filter(likert, survey__in=surveys, value__isnull=False)
        .values("survey_id")
        .annotate(n=Count("response_id", distinct=True), s=Sum("value"), c=Count("value"))
        .order_by()
    }
    tops = dict(
        Question.objects.filter(survey__in=surveys, kind=QuestionKind.LIKERT, background="")
        .filter(options__excluded=False)
        .values("survey_id")
        .annotate(top=Max("options__value"))
        .values_list("survey_id", "top")
        .order_by()
    )
    out = {}
    for survey in surveys:
        row = rows.get(survey.pk)
        n = row["n"] if row else 0
        mean = row["s"] / row["c"] if row and row["c"] and n >= survey.anonymity_threshold else None
        out[survey.pk] = OverallFigure(survey=survey, n=n, mean=mean, top=tops.get(survey.pk))
    return out
