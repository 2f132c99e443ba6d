"""Public pages of the ranking (/statistikk/rangering/, namespace ``benchmarking_public``): the
latest published runs, one run's method in plain words with every weight and its table (grade,
place and interval, the not ranked with what they miss, filter by county), and one municipality's
grades per indicator with what lifts and lowers its total. No login; only published runs exist here.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from . import selectors


def _published(pk):
    return get_object_or_404(selectors.published_runs().select_related(None).defer(None), pk=pk)


def _run_context(request, ranking):
    county = (request.GET.get("fylke") or "").strip()[:2]
    names = selectors.indicator_names(ranking)
    rows = list(selectors.results(ranking, county))
    for row in rows:
        row.not_ranked = "" if row.ranked else selectors.not_ranked_text(row, names)
    return {
        "ranking": ranking,
        "results": rows,
        "counties": selectors.counties(ranking),
        "county": county,
        "blocks": selectors.method_blocks(ranking),
        "names": names,
    }


def ranking_home(request):
    latest = selectors.latest_published()
    context = {"latest": latest}
    if latest:
        context.update(_run_context(request, _published(latest[0].pk)))
    return render(request, "benchmarking/ranking/public_home.html", context)


def ranking_run(request, run):
    ranking = _published(run)
    context = {"latest": selectors.latest_published(), **_run_context(request, ranking)}
    return render(request, "benchmarking/ranking/public_home.html", context)


def ranking_result(request, run, code):
    ranking = _published(run)
    result = ranking.results.filter(region_code=code[:12]).first()
    if result is None:
        raise Http404
    names = selectors.indicator_names(ranking)
    indicators = {i[0]: i for i in ranking.inputs.get("indicators", [])}
    lines = []
    for code_, (value, grade, contribution) in result.indicator_grades.items():
        _c, name, direction, sector, unit = indicators[code_]
        lines.append(
            {
                "code": code_,
                "name": name,
                "unit": unit,
                "direction": direction,
                "sector": selectors.sector_label(sector),
                "value": value,
                "grade": grade,
                "contribution": contribution,
                "weight": ranking.indicator_weights.get(code_, 0),
                "share": (ranking.indicator_stats.get(code_) or {}).get("share"),
                "mean": (ranking.indicator_stats.get(code_) or {}).get("mean"),
            }
        )
    lines.sort(key=lambda line: (line["sector"], line["name"]))
    sectors = [
        {"label": selectors.sector_label(s), "grade": g, "weight": ranking.sector_weights.get(s, 0)}
        for s, g in result.sector_grades.items()
    ]
    sectors.sort(key=lambda s: s["label"])
    return render(
        request,
        "benchmarking/ranking/public_result.html",
        {
            "ranking": ranking,
            "result": result,
            "lines": lines,
            "sectors": sectors,
            "lifting": [names.get(c, c) for c in result.lifting],
            "lowering": [names.get(c, c) for c in result.lowering],
            "not_ranked": "" if result.ranked else selectors.not_ranked_text(result, names),
        },
    )
