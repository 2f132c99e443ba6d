"""Public pages of the own figures: the installation's shared figures, published values and peers."""

from django.http import Http404
from django.shortcuts import render

from servicetorg.core.validators import small_int

from . import selectors, services


def figure_list(request):
    summaries = selectors.overview()
    return render(
        request,
        "benchmarking/owndata/public_list.html",
        {
            "summaries": summaries,
            "synthetic": any(s.synthetic for s in summaries),
            "min_unpublished": selectors.MIN_UNPUBLISHED,
            "min_for_quartiles": selectors.MIN_FOR_QUARTILES,
        },
    )


def _year(request) -> int | None:
    return small_int(request.GET.get("year"), max_digits=4)


def figure_detail(request, code: str):
    indicator = services.shared_indicators().filter(code=code).first()
    if indicator is None:
        raise Http404
    return render(
        request,
        "benchmarking/owndata/public_figure.html",
        {
            "figure": selectors.figure_year(indicator, _year(request)),
            "min_unpublished": selectors.MIN_UNPUBLISHED,
            "min_for_quartiles": selectors.MIN_FOR_QUARTILES,
        },
    )
