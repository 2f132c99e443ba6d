"""Pages of the compare part.

Public (no log-in, namespace ``benchmarking_public``): the hub, the indicator catalogue, one
indicator across all municipalities (with CSV and JSON-stat 2 downloads), a municipality's profile
with its peer group, up to 10 municipalities side by side, and a saved group's share link.
Staff (namespace ``benchmarking``, benchmarking.edit): KOSTRA groups from a Klass 112 file, and the
municipality's saved peer groups.
"""

from __future__ import annotations

import csv
import io
import json
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicetorg.core.forms import apply_validation_error
from servicetorg.core.permissions import Perm, municipality_ids
from servicetorg.core.tenancy import get_scoped_or_404, scope
from servicetorg.indicators.models import Direction

from .. import selectors as benchmarking_selectors
from .. import series, stewards
from ..models import CodeChange, Region, RegionKind
from . import forms, pages, peers, selectors, services
from .models import KostraGrouping, SavedPeerGroup

SOURCE_NOTE = "Kilde: " + benchmarking_selectors.SOURCE


def direction_text(direction: str) -> str:
    return {
        Direction.HIGHER_IS_BETTER: _("Higher is better"),
        Direction.LOWER_IS_BETTER: _("Lower is better"),
    }.get(direction, _("Neither higher nor lower is better (context)"))


# --- Public pages -----------------------------------------------------------------------------------


def _options(municipalities) -> str:
    """The <option>s of today's municipalities (357: written here, not by the template engine)."""
    return mark_safe(  # noqa: S308 — every text is escaped
        "".join(
            f'<option value="{escape(m.code)}">{escape(m.code)} {escape(m.name)}</option>'
            for m in municipalities
        )
    )


def hub(request):
    chosen = (request.GET.get("kommune") or "").strip()[:12]
    if chosen and re.fullmatch(r"[A-Za-z0-9]+", chosen):
        return redirect("benchmarking_public:profile", code=chosen)
    municipalities = selectors.current_municipalities()
    return render(
        request,
        "benchmarking/compare/hub.html",
        {"options": _options(municipalities), "n_indicators": selectors.catalogue().count()},
    )


def indicator_list(request):
    indicators = list(selectors.catalogue())
    sectors: dict[str, list] = {}
    for indicator in indicators:
        indicator.direction_text = direction_text(indicator.direction)
        sectors.setdefault(indicator.get_sector_display() or _("Other"), []).append(indicator)
    return render(request, "benchmarking/compare/indicator_list.html", {"sectors": sectors.items()})


def _indicator(code: str):
    indicator = selectors.catalogue().filter(code=code[:80]).first()
    if indicator is None:
        raise Http404
    return indicator


def indicator_detail(request, code):
    indicator = _indicator(code)
    sort = request.GET.get("sorter") if request.GET.get("sorter") in pages.SORTS else "value"
    descending = request.GET.get("retning", "desc") != "asc"
    table = pages.indicator_table(
        indicator, year=benchmarking_selectors.year_param(request.GET), sort=sort, descending=descending
    )
    fmt = request.GET.get("format")
    if fmt == "csv":
        return _indicator_csv(table)
    if fmt == "json-stat2":
        return _indicator_jsonstat(table)
    labels = {"code": _("Number"), "name": _("Municipality"), "county": _("County")}
    columns = []
    for key in ("code", "name", "county", *[str(y) for y in reversed(table.years)]):
        sort_key = "value" if key == str(table.year) else key
        if sort_key not in pages.SORTS:
            columns.append({"label": key})
            continue
        current = sort == sort_key
        next_desc = not (current and descending) if sort_key == "value" else (current and not descending)
        query = {"sorter": sort_key, "retning": "desc" if next_desc else "asc"}
        if benchmarking_selectors.year_param(request.GET):
            query["ar"] = table.year
        columns.append(
            {
                "label": labels.get(key, key),
                "link": "?" + urlencode(query),
                "sorted": ("descending" if descending else "ascending") if current else "",
            }
        )
    return render(
        request,
        "benchmarking/compare/indicator_detail.html",
        {
            "indicator": indicator,
            "direction_text": direction_text(indicator.direction),
            "table": table,
            "sort": sort,
            "descending": descending,
            "columns": columns,
            "rows_html": _rows_html(table),
        },
    )


def _rows_html(table: pages.IndicatorTable) -> str:
    """The table's body, written in Python: 357 rows × 10 years is 4 000 cells, which Django's
    template engine takes some 100 ms to render and this loop a few."""
    profile_url = reverse("benchmarking_public:profile", args=["CODE"])
    symbol_title = escape(_("No number: Statistics Norway's symbol"))
    no_figure = '<span class="muted">' + escape(_("none")) + "</span>"
    out = []
    for row in table.rows:
        m = row.municipality
        cells = []
        for text, kind in reversed(row.cells):
            if kind == "value":
                cells.append(f'<td class="num">{text}</td>')
            elif kind == "symbol":
                cells.append(f'<td class="num"><abbr title="{symbol_title}">{escape(text)}</abbr></td>')
            else:
                cells.append(f'<td class="num">{no_figure}</td>')
        out.append(
            f'<tr><td>{escape(m.code)}</td><th scope="row"><a class="ds-link" '
            f'href="{profile_url.replace("CODE", escape(m.code))}">{escape(m.name)}</a></th>'
            f"<td>{escape(m.county_name)}</td>{''.join(cells)}</tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 — every text above is escaped


def _rows(table: pages.IndicatorTable):
    for row in table.rows:
        for point in row.points:
            yield row.municipality, point


def _indicator_csv(table: pages.IndicatorTable) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["region", "name", "year", "value", "symbol", "fed_by", "preliminary", "note"])
    for municipality, point in _rows(table):
        writer.writerow(
            [
                municipality.code,
                municipality.name,
                point.year,
                "" if point.value is None else repr(float(point.value)),
                point.symbol,
                " ".join(point.fed_by),
                "1" if point.preliminary else "0",
                point.note,
            ]
        )
    writer.writerow([])
    writer.writerow([SOURCE_NOTE + (" – syntetiske demotall" if table.demo else "")])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{table.indicator.code}.csv")
    return response


def jsonstat(table: pages.IndicatorTable) -> dict:
    """The table as a JSON-stat 2 dataset (region × year; SSB's symbols as status, never 0)."""
    codes = [row.municipality.code for row in table.rows]
    years = [str(y) for y in table.years]
    values: list[float | None] = []
    status: dict[str, str] = {}
    for row in table.rows:
        for point in row.points:
            if point.value is None and point.symbol:
                status[str(len(values))] = point.symbol
            values.append(point.value)
    return {
        "version": "2.0",
        "class": "dataset",
        "label": table.indicator.name,
        "source": SOURCE_NOTE,
        "note": ["Syntetiske demotall"] if table.demo else [],
        "id": ["Region", "Tid"],
        "size": [len(codes), len(years)],
        "dimension": {
            "Region": {
                "label": "region",
                "category": {
                    "index": {c: i for i, c in enumerate(codes)},
                    "label": {row.municipality.code: row.municipality.name for row in table.rows},
                },
            },
            "Tid": {"label": "år", "category": {"index": {y: i for i, y in enumerate(years)}}},
        },
        "extension": {"indicator": table.indicator.code, "unit": table.indicator.unit_of_measure},
        "value": values,
        "status": status,
    }


def _indicator_jsonstat(table: pages.IndicatorTable) -> HttpResponse:
    response = HttpResponse(
        json.dumps(jsonstat(table), ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"{table.indicator.code}.json")
    return response


def profile(request, code):
    choice = pages.PeerChoice.from_query(request.GET)
    result = pages.profile(code[:12], year=benchmarking_selectors.year_param(request.GET), choice=choice)
    if result is None:
        return _former_number(request, code[:12])
    kostra = result.own_kostra_group
    context_indicators = peers.context_indicators()
    for indicator in context_indicators:
        indicator.weight = choice.weights.get(indicator.code, 1.0)
        indicator.chosen = not choice.context or indicator.code in choice.context
    return render(
        request,
        "benchmarking/compare/profile.html",
        {
            "p": result,
            "choice": choice,
            "kostra": kostra,
            "context_indicators": context_indicators,
            "kinds": [
                ("county", _("The county")),
                ("country", _("The whole country")),
                ("kostra_group", _("The KOSTRA group")),
                ("saved", _("A saved group (its share code)")),
                ("similar", _("Similar municipalities")),
            ],
        },
    )


def _former_number(request, code):
    """A number no longer in use: on to today's municipality (a new number or a merger), or, for a
    split, a page that names the municipalities it became. Any other code is 404."""
    region = Region.objects.filter(code=code, kind=RegionKind.MUNICIPALITY, valid_to__isnull=False).first()
    if region is None:
        raise Http404
    graph = series.Graph.load()
    current = graph.current_code(code)
    if current and current != code and Region.objects.filter(code=current, valid_to__isnull=True).exists():
        query = request.GET.urlencode()
        return redirect(
            reverse("benchmarking_public:profile", args=[current]) + (f"?{query}" if query else "")
        )
    went_to = Region.objects.filter(
        code__in=CodeChange.objects.filter(old_code=code, kind=CodeChange.Kind.SPLIT).values("new_code")
    )
    return render(request, "benchmarking/compare/former_number.html", {"region": region, "went_to": went_to})


def compare(request):
    raw = request.GET.getlist("k")[:50]
    result = pages.compare(raw, year=benchmarking_selectors.year_param(request.GET))
    for row in result.rows:
        row.direction = direction_text(row.indicator.direction)
    return render(
        request,
        "benchmarking/compare/compare.html",
        {
            "c": result,
            "max": pages.MAX_COMPARE,
            "options": _options(selectors.current_municipalities()),
            "symbol_title": _("No number: Statistics Norway's symbol"),
            "none": _("none"),
        },
    )


def peer_group(request, token):
    group = get_object_or_404(SavedPeerGroup.objects.select_related("municipality"), token=token[:32])
    names = selectors.municipality_map()
    members = [(c, names[c].name if c in names else c) for c in group.codes]
    own = group.municipality.number if group.municipality.number in names else None
    return render(
        request,
        "benchmarking/compare/peer_group.html",
        {
            "group": group,
            "members": members,
            "own": own,
            "compare_query": urlencode([("k", c) for c in group.codes[: pages.MAX_COMPARE]]),
        },
    )


# --- Staff pages -------------------------------------------------------------------------------------


@login_required
def kostra_groups(request):
    if municipality_ids(request.user, Perm.BENCHMARK_EDIT) == set():
        raise PermissionDenied
    keeps = stewards.may_keep(request.user)
    if request.method == "POST" and not keeps:
        raise PermissionDenied  # national data: the page says who keeps it
    form = forms.KlassUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = services.upload_kostra_groups(
            upload.read(),
            year=form.cleaned_data["year"],
            version=form.cleaned_data["version"],
            file_name=upload.name,
            skip_bad_lines=form.cleaned_data["skip_bad_lines"],
            user=request.user,
        )
        if result.grouping is not None:
            messages.success(
                request,
                _("Saved %(groups)s KOSTRA groups with %(members)s municipalities.")
                % {"groups": result.groups, "members": result.members},
            )
            if result.ok:
                return redirect("benchmarking:kostra-groups")
    groupings = KostraGrouping.objects.annotate(n_groups=Count("groups")).order_by("-year", "-pk")[:20]
    return render(
        request,
        "benchmarking/compare/staff/kostra_groups.html",
        {
            "form": form if keeps else None,
            "keepers": stewards.keepers(),
            "result": result,
            "groupings": groupings,
        },
    )


@login_required
def peer_group_list(request):
    if municipality_ids(request.user, Perm.BENCHMARK_EDIT) == set():
        raise PermissionDenied
    groups = scope(SavedPeerGroup.objects.select_related("municipality"), request.user, Perm.BENCHMARK_EDIT)
    return render(request, "benchmarking/compare/staff/peer_group_list.html", {"groups": groups})


def _save(request, form, group=None):
    data = form.cleaned_data
    municipality = group.municipality if group is not None else data["municipality"]
    try:
        saved = services.save_peer_group(
            municipality, name=data["name"], codes=data["codes"], group=group, user=request.user
        )
    except ValidationError as error:
        apply_validation_error(form, error)
        return None
    messages.success(request, _("The group was saved."))
    return redirect("benchmarking:peer-group-edit", pk=saved.pk)


@login_required
def peer_group_create(request):
    municipalities = benchmarking_selectors.editable_municipalities(request.user)
    if not municipalities.exists():
        raise PermissionDenied
    form = forms.PeerGroupForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form)
        if response is not None:
            return response
    return render(request, "benchmarking/compare/staff/peer_group_form.html", {"form": form, "group": None})


@login_required
def peer_group_edit(request, pk):
    group = get_scoped_or_404(
        SavedPeerGroup.objects.select_related("municipality"), request.user, Perm.BENCHMARK_EDIT, pk=pk
    )
    form = forms.PeerGroupForm(
        request.POST or None,
        municipalities=benchmarking_selectors.editable_municipalities(request.user),
        group=group,
    )
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, group)
        if response is not None:
            return response
    return render(request, "benchmarking/compare/staff/peer_group_form.html", {"form": form, "group": group})


@login_required
@require_POST
def peer_group_delete(request, pk):
    group = get_scoped_or_404(SavedPeerGroup.objects.all(), request.user, Perm.BENCHMARK_EDIT, pk=pk)
    services.delete_peer_group(group, user=request.user)
    messages.success(request, _("The group was deleted."))
    return redirect("benchmarking:peer-group-list")
