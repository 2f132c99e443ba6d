"""Pages of the register and the official statistics: the public register of municipalities
(/statistikk/kommuner/) and the staff import page (/staff/statistikk/import/, benchmarking.edit)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicetorg.core import formatting
from servicetorg.core.models import Municipality
from servicetorg.core.validators import validate_upload_size
from servicetorg.indicators.models import ImportRun
from servicetorg.indicators.services import ImportFailed

from . import imports, selectors, stewards


def municipality_list(request):
    """Today's municipalities by county with their former numbers, searchable and filterable."""
    county = (request.GET.get("county") or "").strip()[:2]
    text = (request.GET.get("q") or "").strip()[:100]
    municipalities = selectors.current_municipalities()
    counties = list(selectors.current_counties())
    total = municipalities.filter(fictional=False).count()
    if county:
        municipalities = municipalities.filter(county_code=county)
    municipalities = list(selectors.search_regions(municipalities, text))
    by_new = selectors.former_codes()
    profile = reverse("benchmarking_public:profile", args=["CODE"])  # once, not per row
    rows = []
    for region in municipalities:
        former, seen = [], {region.code}
        for change in selectors.predecessors(region.code, by_new):
            if change.old_code not in seen:
                seen.add(change.old_code)
                former.append(
                    (change.old_code, change.old_name, change.occurred.year, change.get_kind_display())
                )
        rows.append({"region": region, "former": former, "url": profile.replace("CODE", region.code)})
    return render(
        request,
        "benchmarking/registry/municipality_list.html",
        {
            "rows": rows,
            "counties": counties,
            "county": county,
            "q": text,
            "total": total,
            "shown": len(rows),
            "api_url": reverse("benchmarking_api:region-list"),
        },
    )


# --- staff: import ----------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("JSON-stat 2 from Statistics Norway's API, or the CSV download (semicolon)."),
        validators=[validate_upload_size],  # larger tables: manage.py fetch_kostra
    )
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.none(), label=gettext_lazy("Imported by")
    )
    table = forms.RegexField(
        regex=r"^\d{4,6}$",
        required=False,
        max_length=6,
        label=gettext_lazy("Table (for a CSV file without its title line)"),
    )
    preliminary = forms.BooleanField(required=False, label=gettext_lazy("Preliminary figures"))
    skip_bad_rows = forms.BooleanField(
        required=False, label=gettext_lazy("Import the good cells and skip the bad")
    )

    def __init__(self, *args, municipalities, operator=False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        field.queryset = municipalities
        if operator:  # the platform's operators may import in no municipality's name
            field.required = False
            field.empty_label = gettext_lazy("The platform (its operators)")
        elif len(municipalities[:2]) == 1:
            field.initial = municipalities[0]


@login_required
def import_page(request):
    if not selectors.editable_municipalities(request.user).exists():
        raise PermissionDenied
    keeps = stewards.may_keep(request.user)
    if request.method == "POST" and not keeps:
        raise PermissionDenied  # national data: the page says who keeps it
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        municipalities=stewards.steward_municipalities(request.user),
        operator=stewards.is_operator(request.user),
    )
    errors, result, status = [], None, 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            options = {
                "municipality": form.cleaned_data["municipality"],
                "preliminary": form.cleaned_data["preliminary"],
                "skip_bad_rows": form.cleaned_data["skip_bad_rows"],
            }
            if form.cleaned_data["table"]:
                options["table"] = form.cleaned_data["table"]
            try:
                result = imports.import_file(upload.read(), name=upload.name, user=request.user, **options)
            except ImportFailed as failure:
                form.add_error(None, _("Nothing was imported. Correct the file and try again."))
                errors, status = failure.errors, 400
            else:
                messages.success(
                    request,
                    _(
                        "Imported %(cells)s cells: %(created)s new, %(updated)s changed, "
                        "%(unchanged)s unchanged, %(skipped)s skipped."
                    )
                    % {
                        "cells": formatting.number(result.cells),
                        "created": formatting.number(result.created),
                        "updated": formatting.number(result.updated),
                        "unchanged": formatting.number(result.unchanged),
                        "skipped": formatting.number(result.skipped),
                    },
                )
                if not result.errors:
                    return redirect("benchmarking:official-import")
                errors = result.errors
        else:
            status = 400
    runs = (
        ImportRun.objects.filter(
            kind__in=[
                ImportRun.Kind.JSONSTAT,
                ImportRun.Kind.SSB_CSV,
                ImportRun.Kind.FETCH,
                ImportRun.Kind.DEMO,
            ],
            table_id__gt="",
        )
        .select_related("created_by", "municipality")
        .order_by("-created_at")[:50]
    )
    return render(
        request,
        "benchmarking/registry/import.html",
        {
            "form": form if keeps else None,
            "keepers": stewards.keepers(),
            "errors": errors,
            "result": result,
            "runs": runs,
        },
        status=status,
    )
