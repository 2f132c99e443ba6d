from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import outbox, selectors
from .models import Municipality, OutboxMessage, OutboxState, Unit
from .tenancy import get_scoped_or_404, municipality_ids, scope


@login_required
def staff_home(request):
    municipalities = scope(Municipality.objects.all(), request.user, field="pk")
    units = scope(Unit.objects.select_related("municipality"), request.user)
    outbox_allowed = municipality_ids(request.user, outbox.OUTBOX_ROLES)
    return render(
        request,
        "core/staff_home.html",
        {
            "municipalities": municipalities,
            "units": units,
            "can_see_outbox": outbox_allowed is None or bool(outbox_allowed),
        },
    )


@login_required
def outbox_list(request):
    """The outbox: pending, sent and failed e-mails and SMS, with the reason of a failure."""
    allowed = municipality_ids(request.user, outbox.OUTBOX_ROLES)
    if allowed is not None and not allowed:
        raise PermissionDenied
    state = request.GET.get("status", "")
    qs = selectors.outbox_messages(request.user, state=state).select_related("municipality")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    counts = selectors.outbox_counts(request.user)
    state = state if state in OutboxState.values else ""
    return render(
        request,
        "core/outbox.html",
        {
            "page": page,
            "state": state,
            "query": f"status={state}" if state else "",
            "states": [(key, label, counts[key]) for key, label in OutboxState.choices],
        },
    )


@login_required
@require_POST
def outbox_retry(request, pk):
    message = get_scoped_or_404(OutboxMessage.objects.all(), request.user, outbox.OUTBOX_ROLES, pk=pk)
    try:
        outbox.retry(message, user=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The message is queued to be sent again."))
    state = request.POST.get("status", "")
    return redirect(reverse("core:outbox") + (f"?status={state}" if state in OutboxState.values else ""))
