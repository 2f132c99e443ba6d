"""Staff: who may act for whom (guardians, relatives, attorneys), as the municipality knows it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from servicetorg.core.forms import apply_validation_error
from servicetorg.core.permissions import Perm
from servicetorg.core.validators import mask_national_id
from servicetorg.privacy.views import chosen_municipality

from . import services
from .forms import EndRelationForm, RelationForm
from .models import Relation


@login_required
@sensitive_post_parameters("representative_national_id", "subject_national_id")
def relations(request):
    """The municipality's relations, newest first; register one, or end one."""
    municipality, allowed = chosen_municipality(request, Perm.CITIZEN_RELATIONS)
    here = f"{reverse('citizens:relations')}?kommune={municipality.number}"
    initial = {"municipality": municipality.number, "valid_from": timezone.localdate()}
    form = RelationForm(initial=initial)
    end_form = None
    if request.method == "POST" and request.POST.get("action") == "end":
        end_form = EndRelationForm(request.POST)
        if end_form.is_valid():
            relation = get_object_or_404(
                Relation, pk=end_form.cleaned_data["relation"], municipality=municipality
            )
            try:
                services.end_relation(
                    relation, valid_until=end_form.cleaned_data["valid_until"], user=request.user
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The relation is ended."))
            return redirect(here)
        messages.error(request, _("Give the last day of the relation."))
        return redirect(here)
    if request.method == "POST":
        form = RelationForm(request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "municipality"}
            try:
                services.register_relation(municipality, **data, user=request.user)
            except ValidationError as error:
                apply_validation_error(form, error)
            except PermissionDenied:
                raise
            else:
                messages.success(request, _("The relation is registered."))
                return redirect(here)
    page = Paginator(
        Relation.objects.filter(municipality=municipality).order_by("-created_at", "-pk"), 50
    ).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "relation": r,
            "representative": mask_national_id(r.representative_national_id),
            "subject": mask_national_id(r.subject_national_id),
            "valid": r.is_valid_on(today),
        }
        for r in page.object_list
    ]
    return render(
        request,
        "citizens/staff/relations.html",
        {
            "municipality": municipality,
            "allowed": allowed,
            "form": form,
            "page": page,
            "rows": rows,
            "today": today,
            "query": f"kommune={municipality.number}",
        },
        status=400 if form.errors else 200,
    )
