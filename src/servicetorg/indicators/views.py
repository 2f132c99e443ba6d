"""Staff pages of the indicator store: list, detail with values, manual entry, CSV and JSON-stat import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicetorg.core import formatting
from servicetorg.core.forms import apply_validation_error
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, municipality_ids, municipality_wide_ids

from . import selectors, services
from .forms import CsvImportForm, IndicatorForm, JsonStatImportForm, ValueForm
from .inquiry_kpis import record_inquiry_kpis
from .models import ImportRun, Indicator


def editable_municipalities(user):
    allowed = municipality_ids(user, Perm.INDICATOR_EDIT)
    return Municipality.objects.all() if allowed is None else Municipality.objects.filter(pk__in=allowed)


def wide_editable_municipalities(user):
    """Where the user records municipality-level figures (not only her unit's): KOSTRA, desk KPIs."""
    allowed = municipality_wide_ids(user, Perm.INDICATOR_EDIT)
    return Municipality.objects.all() if allowed is None else Municipality.objects.filter(pk__in=allowed)


def _require_staff(user) -> None:
    allowed = municipality_ids(user, Perm.INDICATOR_READ)
    if allowed is not None and not allowed:
        raise PermissionDenied


def _indicator(request, pk) -> Indicator:
    _require_staff(request.user)
    try:
        return selectors.visible_indicators(request.user).get(pk=pk)
    except Indicator.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def indicator_list(request):
    _require_staff(request.user)
    indicators = selectors.visible_indicators(request.user).order_by("name", "pk")
    page = Paginator(indicators, 50).get_page(request.GET.get("page"))
    allowed = municipality_ids(request.user, Perm.INDICATOR_READ)
    runs = ImportRun.objects.select_related("municipality", "created_by")
    if allowed is not None:
        runs = runs.filter(municipality__in=allowed)
    return render(
        request,
        "indicators/indicator_list.html",
        {
            "page": page,
            "runs": runs[:10],
            "can_edit": editable_municipalities(request.user).exists(),
        },
    )


@login_required
@require_POST
def record_inquiry_figures(request):
    """Fetch the year's front-desk figures from the inquiry dashboard into the indicator store."""
    municipalities = wide_editable_municipalities(request.user)
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        year = None
    if not municipalities.exists():
        raise PermissionDenied
    if year is None or not 2000 <= year <= 2100:
        messages.error(request, _("Give a year between 2000 and 2100."))
        return redirect("indicators:indicator-list")
    count = sum(len(record_inquiry_kpis(m, year, user=request.user)) for m in municipalities)
    text = _("%(n)s figures from the inquiries were recorded for %(year)s.") % {"n": count, "year": year}
    messages.success(request, text)
    return redirect("indicators:indicator-list")


@login_required
def indicator_create(request):
    municipalities = editable_municipalities(request.user)
    if not municipalities.exists():
        raise PermissionDenied
    form = IndicatorForm(
        request.POST or None, municipalities=municipalities, allow_national=request.user.is_superuser
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            indicator = services.create_indicator(**data, user=request.user)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The indicator was created."))
            return redirect("indicators:indicator-detail", pk=indicator.pk)
    return render(request, "indicators/indicator_form.html", {"form": form})


@login_required
def indicator_detail(request, pk):
    indicator = _indicator(request, pk)
    municipalities = editable_municipalities(request.user)
    if indicator.municipality_id is not None:
        municipalities = municipalities.filter(pk=indicator.municipality_id)
    form = ValueForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST":
        if not municipalities.exists():
            raise PermissionDenied
        if form.is_valid():
            try:
                services.record_value(indicator=indicator, **form.cleaned_data, user=request.user)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The value was saved."))
                return redirect("indicators:indicator-detail", pk=indicator.pk)
    values = selectors.values_of(indicator, municipality_ids(request.user, Perm.INDICATOR_READ))
    changes = selectors.value_changes(indicator, municipality_ids(request.user, Perm.INDICATOR_READ))[:20]
    return render(
        request,
        "indicators/indicator_detail.html",
        {
            "indicator": indicator,
            "values": values[:500],
            "changes": changes,
            "form": form,
            "can_edit": municipalities.exists(),
        },
        status=400 if form.errors else 200,
    )


def _import_view(request, form, run):
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = run(upload.read(), upload.name, form.cleaned_data)
        except services.ImportFailed as failure:
            form.add_error(None, _("Nothing was imported. Correct the file and try again."))
            return {"form": form, "errors": failure.errors}, 400
        messages.success(
            request,
            _("Imported: %(created)s new and %(updated)s changed values, %(skipped)s rows skipped.")
            % {
                "created": formatting.number(result.created),
                "updated": formatting.number(result.updated),
                "skipped": formatting.number(result.skipped),
            },
        )
    return {
        "form": form,
        "errors": result.errors if result else [],
        "result": result,
    }, 400 if form.errors else 200


@login_required
def import_csv(request):
    municipalities = editable_municipalities(request.user)
    if not municipalities.exists():
        raise PermissionDenied
    form = CsvImportForm(request.POST or None, request.FILES or None, municipalities=municipalities)

    def run(data, name, cleaned):
        return services.import_csv(
            data,
            municipality=cleaned["municipality"],
            source=cleaned["source"],
            user=request.user,
            file_name=name,
            skip_bad_rows=cleaned["skip_bad_rows"],
        )

    context, status = _import_view(request, form, run)
    return render(request, "indicators/import.html", {**context, "kind": "csv"}, status=status)


@login_required
def import_jsonstat(request):
    municipalities = wide_editable_municipalities(request.user)
    if not municipalities.exists():
        raise PermissionDenied
    form = JsonStatImportForm(request.POST or None, request.FILES or None)

    def run(data, name, cleaned):
        return services.import_jsonstat(
            data,
            municipalities=municipalities,
            user=request.user,
            file_name=name,
            skip_bad_rows=cleaned["skip_bad_rows"],
        )

    context, status = _import_view(request, form, run)
    return render(request, "indicators/import.html", {**context, "kind": "jsonstat"}, status=status)
