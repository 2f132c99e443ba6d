"""Staff pages of the own figures: each municipality's publication choices (Perm.BENCHMARK_EDIT)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from servicetorg.core.models import Municipality

from .. import selectors as benchmarking_selectors
from . import selectors, services


@login_required
def choice_list(request):
    municipalities = list(benchmarking_selectors.editable_municipalities(request.user))
    if not municipalities:
        raise PermissionDenied
    if len(municipalities) == 1:
        return redirect("benchmarking:owndata-choices", municipality_pk=municipalities[0].pk)
    return render(request, "benchmarking/owndata/choice_list.html", {"municipalities": municipalities})


@login_required
def choices(request, municipality_pk: int):
    """Which shared figures the municipality publishes (GET: the list; POST: save every choice)."""
    try:
        municipality = benchmarking_selectors.editable_municipalities(request.user).get(pk=municipality_pk)
    except Municipality.DoesNotExist as exc:
        raise Http404 from exc  # another municipality's choices do not exist for this user
    if request.method == "POST":
        wanted = set(request.POST.getlist("published"))
        try:
            with transaction.atomic():
                changed = 0
                for indicator in services.shared_indicators():
                    before = indicator.publications.filter(municipality=municipality, published=True).exists()
                    publish = str(indicator.pk) in wanted
                    if before != publish:
                        services.set_publication(
                            municipality, indicator, published=publish, user=request.user
                        )
                        changed += 1
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(request, _("The choices were saved (%(n)s changed).") % {"n": changed})
            return redirect("benchmarking:owndata-choices", municipality_pk=municipality.pk)
    return render(
        request,
        "benchmarking/owndata/choices.html",
        {
            "municipality": municipality,
            "rows": selectors.choices_of(municipality),
            "min_unpublished": selectors.MIN_UNPUBLISHED,
        },
    )
