"""The kommunetest's published results (no sign-in): each published round with its method (protocol
version, weights, κ of the web testers, how the sample was drawn), each tested region's score per
channel and area, and per region the items with how each was scored. Results compare only within
one protocol version, so each round says its version. The evidence text itself (what the
municipality's staff wrote) stays on the staff pages of the coordinator and the tested municipality.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from . import access, scoring
from .models import ItemChannel, RoundRegion


def home(request):
    rounds = access.published_rounds().order_by("-published_at", "-pk")
    return render(request, "servicetest/public/home.html", {"rounds": rounds, "pass_mark": scoring.PASS_MARK})


def round_detail(request, pk):
    round_ = get_object_or_404(access.published_rounds(), pk=pk)
    regions = round_.regions.order_by("-total", "name")
    areas = sorted({a for r in regions for a in r.by_area})
    return render(
        request,
        "servicetest/public/round.html",
        {
            "round": round_,
            "regions": regions,
            "areas": areas,
            "channels": ItemChannel.choices,
            "pass_mark": scoring.PASS_MARK,
        },
    )


def region_detail(request, pk, code):
    round_ = get_object_or_404(access.published_rounds(), pk=pk)
    try:
        region = round_.regions.get(code=code)
    except RoundRegion.DoesNotExist as exc:
        raise Http404 from exc
    items = region.items.order_by("channel", "area", "pk")
    return render(
        request,
        "servicetest/public/region.html",
        {"round": round_, "region": region, "items": items, "pass_mark": scoring.PASS_MARK},
    )
