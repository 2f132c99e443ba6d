import logging
from base64 import b32encode

import django_otp
import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from . import outbox, security, selectors
from .models import Municipality, OutboxMessage, OutboxState, Unit
from .permissions import Perm, municipality_ids
from .security import client_ip
from .tenancy import get_scoped_or_404, scope

log = logging.getLogger("servicetorg.security")


@login_required
def staff_home(request):
    municipalities = scope(Municipality.objects.all(), request.user, Perm.STAFF_PAGES, field="pk")
    units = scope(Unit.objects.select_related("municipality"), request.user, Perm.STAFF_PAGES)
    outbox_allowed = municipality_ids(request.user, Perm.OUTBOX)
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
    allowed = municipality_ids(request.user, Perm.OUTBOX)
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
    message = get_scoped_or_404(OutboxMessage.objects.all(), request.user, Perm.OUTBOX, pk=pk)
    try:
        outbox.retry(message, user=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The message is queued to be sent again."))
    state = request.POST.get("status", "")
    return redirect(reverse("core:outbox") + (f"?status={state}" if state in OutboxState.values else ""))


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)  # stay logged in on this device, not on others
        log.info("password changed user=%s ip=%s", user.get_username(), client_ip(request))
        messages.success(request, _("Your password is changed."))
        return redirect("core:staff-home")
    return render(request, "core/password_change.html", {"form": form}, status=400 if form.errors else 200)


class OTPForm(forms.Form):
    otp_token = forms.RegexField(
        label=gettext_lazy("One-time code"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": gettext_lazy("Give the six digits from your authenticator app.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


@sensitive_post_parameters("otp_token")
@login_required
def mfa(request):
    """Second step of a password log-in: the code from the user's TOTP device (django-otp throttles
    wrong codes per device, doubling the wait after each)."""
    if getattr(request.user, "is_verified", lambda: False)():
        return redirect(_next(request) or "core:staff-home")
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(f"{_url('core:mfa-enrol')}?next={_next(request)}")
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(request.user, form.cleaned_data["otp_token"].strip())
        if device is not None:
            django_otp.login(request, device)
            log.info("mfa verified user=%s ip=%s", request.user.get_username(), client_ip(request))
            return redirect(_next(request) or "core:staff-home")
        log.warning("mfa failed user=%s ip=%s", request.user.get_username(), client_ip(request))
        form.add_error("otp_token", _("The code is wrong or too old. Wait a moment and try the next code."))
    return render(
        request, "core/mfa.html", {"form": form, "next": _next(request)}, status=400 if form.errors else 200
    )


# The secret of an enrolment attempt lives in the session that asked for it, never in the database
# before it is confirmed: someone else who knows the password and opens the page first gets his own
# secret in his own session, which the owner's confirmation can never make valid.
SESSION_ENROL_KEY = "mfa_enrol_key"


@sensitive_post_parameters("otp_token")
@login_required
def mfa_enrol(request):
    """First log-in without a device: show a new TOTP secret (QR code and text), bound to this
    session, and confirm it with one code from the app. Each visit of the page (GET) draws a new
    secret; the device is written only when confirmed, and the user is told by e-mail."""
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(f"{_url('core:mfa')}?next={_next(request)}")
    key = request.session.get(SESSION_ENROL_KEY)
    if request.method != "POST" or not key:
        key = random_hex(20)
        request.session[SESSION_ENROL_KEY] = key
    device = TOTPDevice(user=request.user, key=key, name=_("Authenticator app"), confirmed=True)
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["otp_token"].strip()
        if TOTP(device.bin_key, device.step, device.t0, device.digits).verify(int(token), tolerance=1):
            device = security.enrol_totp_device(request.user, key, name=device.name, ip=client_ip(request))
            del request.session[SESSION_ENROL_KEY]
            django_otp.login(request, device)
            messages.success(request, _("Two-step log-in is set up."))
            return redirect(_next(request) or "core:staff-home")
        log.warning("mfa enrolment code wrong user=%s ip=%s", request.user.get_username(), client_ip(request))
        form.add_error("otp_token", _("The code is wrong or too old. Wait a moment and try the next code."))
    secret = b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m").svg_inline(
        scale=4, title=_("QR code for the authenticator app")
    )
    return render(
        request,
        "core/mfa_enrol.html",
        {
            "form": form,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "qr": qr,
            "next": _next(request),
        },
        status=400 if form.errors else 200,
    )


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)
