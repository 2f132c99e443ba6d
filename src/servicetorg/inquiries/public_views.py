"""Citizen pages: contact forms (general and per service), receipt, and following a case without login.

The case link's secret token stays out of sessions and access logs (docs/security.md, V3/V7): the
link ``/sak/<reference>/<token>/`` is checked, the session gets a mark for that case (an HMAC of
the case's token hash, never the token) and the browser goes on to ``/sak/<reference>/``, which
opens on the mark. The receipt after the contact form keeps only the reference and the mark in the
session, and shows the link with the derived link token (``Inquiry.link_token``), as e-mails do.
"""

import secrets
import time
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET

from servicetorg.catalogue import selectors as catalogue_selectors
from servicetorg.catalogue.models import Service
from servicetorg.citizens import assurance
from servicetorg.citizens.decorators import login_url
from servicetorg.core import addresses
from servicetorg.core.choices import Channel
from servicetorg.core.forms import apply_validation_error
from servicetorg.core.maps import map_settings
from servicetorg.core.once import submit_once
from servicetorg.core.permissions import CITIZEN
from servicetorg.core.portal import portal_municipality
from servicetorg.core.security import RateThrottle, throttle_post, throttled_message

from . import case_extensions, min_side, selectors, services
from .deadlines import promised_reply
from .downloads import attachment_response
from .forms import CaseCodeForm, CitizenReplyForm, ContactForm, LookupForm, LostLinkForm, SendCaseCodeForm
from .models import PUBLIC_MESSAGE_KINDS, Inquiry, State, hash_token
from .notices import is_sensitive, receipt_sent_to
from .services import case_codes

RECEIPT_KEY = "inquiries_receipt"
#: How long after the form the receipt page still shows the case link.
RECEIPT_LINK_SHOWN_FOR = timedelta(minutes=10)
#: The session's marks of the cases its browser has opened with their link: {reference: mark}.
CASES_KEY = "inquiries_cases"
#: At most this many cases per session (the oldest mark goes first).
MAX_CASES = 20


def case_mark(token_hash: str) -> str:
    """What the session keeps for an opened case: bound to the case's current token (a new link
    from "lost the link" invalidates it) and useless as a link."""
    return salted_hmac("servicetorg.inquiries.case-session", token_hash, algorithm="sha256").hexdigest()


def _remember_case(request, reference: str, token_hash: str) -> None:
    cases = dict(request.session.get(CASES_KEY, {}))
    cases.pop(reference, None)
    cases[reference] = case_mark(token_hash)
    request.session[CASES_KEY] = dict(list(cases.items())[-MAX_CASES:])


def _has_case(request, inquiry: Inquiry) -> bool:
    """Opened with its link in this session, or hers on Min side (logged in with ID-porten)."""
    mark = request.session.get(CASES_KEY, {}).get(inquiry.reference, "")
    if mark and inquiry.token_hash and secrets.compare_digest(mark, case_mark(inquiry.token_hash)):
        return True
    signed_in = getattr(request, "citizen", None)
    if not min_side.owns(signed_in, inquiry):
        return False
    # Her log-in stands in for the link at the service's level; a sensitive case below it goes on
    # to its one-time code (_verified).
    return is_sensitive(inquiry) or assurance.satisfies(signed_in.level, min_side.level_for(inquiry))


#: The session's random binding for one-time codes (a code works only in the session that asked).
CODE_BINDING_KEY = "inquiries_code_binding"
#: Sensitive cases this session has given the one-time code for: {reference: [mark, last request]}.
VERIFIED_KEY = "inquiries_verified"
#: A verification ends after this long without a request to the case.
VERIFIED_IDLE = timedelta(minutes=30)


def verified_mark(token_hash: str) -> str:
    """What the session keeps for a sensitive case whose code it gave: bound to the case's current
    link (a new link from "lost the link" ends it)."""
    return salted_hmac("servicetorg.inquiries.case-verified", token_hash, algorithm="sha256").hexdigest()


def _code_binding(request, *, create: bool = False) -> str:
    binding = request.session.get(CODE_BINDING_KEY, "")
    if not binding and create:
        binding = request.session[CODE_BINDING_KEY] = secrets.token_urlsafe(24)
    return binding


def _verified(request, inquiry: Inquiry) -> bool:
    """Whether this session may read ``inquiry``'s content: always for a service that is not
    sensitive; for a sensitive one only after its one-time code, and while the session is used
    (each request to the case keeps it :data:`VERIFIED_IDLE` longer)."""
    if not is_sensitive(inquiry):
        return True
    if min_side.may_read(getattr(request, "citizen", None), inquiry):
        return True  # ID-porten at the case's level stands in for the one-time code
    verified = dict(request.session.get(VERIFIED_KEY, {}))
    entry = verified.get(inquiry.reference)
    now = time.time()
    if (
        not entry
        or not inquiry.token_hash
        or not secrets.compare_digest(str(entry[0]), verified_mark(inquiry.token_hash))
        or now - float(entry[1]) > VERIFIED_IDLE.total_seconds()
    ):
        if entry:
            verified.pop(inquiry.reference)
            request.session[VERIFIED_KEY] = verified
        return False
    verified[inquiry.reference] = [entry[0], now]
    request.session[VERIFIED_KEY] = verified
    return True


def _remember_verified(request, inquiry: Inquiry) -> None:
    verified = dict(request.session.get(VERIFIED_KEY, {}))
    verified.pop(inquiry.reference, None)
    verified[inquiry.reference] = [verified_mark(inquiry.token_hash), time.time()]
    request.session[VERIFIED_KEY] = dict(list(verified.items())[-MAX_CASES:])


def case_in_session(request, reference: str) -> Inquiry | None:
    """The case this session opened with its link (the session's mark), or None: for later apps'
    pages about the case (the satisfaction question), which thus need no token in a form or URL.
    A sensitive service's case only while the session's one-time code holds."""
    inquiry = (
        Inquiry.objects.select_related("service", "unit", "municipality")
        .filter(reference=(reference or "").strip().upper())
        .first()
    )
    if inquiry is None or not _has_case(request, inquiry) or not _verified(request, inquiry):
        return None
    return inquiry


def _level(request) -> str:
    signed_in = getattr(request, "citizen", None)
    return signed_in.level if signed_in is not None else ""


def _level_ok(request, form, service) -> bool:
    """A service chosen in the general form that asks for an ID-porten log-in the writer has not
    made: a field error that leads to the service's own form (which sends her to log in)."""
    chosen = service or form.cleaned_data.get("service")
    if chosen is None or assurance.satisfies(_level(request), chosen.assurance_level):
        return True
    form.add_error(
        "service",
        _(
            "You must log in with ID-porten to write about %(service)s. Choose the service's own "
            "form: it asks you to log in."
        )
        % {"service": chosen.name},
    )
    return False


def _municipality(request):
    municipality = portal_municipality(request)
    if municipality is None:
        raise Http404
    return municipality


def _same_origin_referrer(response):
    """The case link holds the secret code: no referrer to other sites. ``same-origin`` (not
    ``no-referrer``) so that the page's own forms post with their Origin, which CSRF checks."""
    response["Referrer-Policy"] = "same-origin"
    return response


@sensitive_post_parameters("national_id", "contact_email", "contact_phone", "contact_name")
@sensitive_variables("data", "register", "receipt_data")
@throttle_post("contact")
def contact(request, slug=None):
    municipality = _municipality(request)
    service = None
    if slug is not None:
        try:
            service = catalogue_selectors.published_service(municipality, slug)
        except Service.DoesNotExist as exc:
            raise Http404 from exc
        if not assurance.satisfies(_level(request), service.assurance_level):
            # Log in (or step up) with ID-porten first, then back to this form.
            return redirect(login_url(request.get_full_path(), service.assurance_level))
    form = ContactForm(
        request.POST or None, request.FILES or None, municipality=municipality, service=service
    )
    if request.method == "POST" and form.is_valid() and _level_ok(request, form, service):
        data = form.cleaned_data
        if form.asks_location and data.get("latitude") is None and data.get("address"):
            # No place on the map (no JavaScript, or she did not pick a suggestion): an address the
            # register has exactly gets its point; a description stays words (and so does anything
            # when the register does not answer).
            found = addresses.locate(
                data["address"], municipality_number=addresses.municipality_number(municipality)
            )
            if found is not None:
                data["latitude"], data["longitude"], data["address"] = services.clean_location(
                    found.lat, found.long, found.label
                )

        def register() -> dict:
            # submit_once's transaction covers it (an error rolls back the token's claim with it).
            registered = services.register(
                savepoint=False,
                municipality=municipality,
                channel=Channel.WEB_FORM,
                service=service or data.get("service"),
                subject=data["subject"],
                body=data["body"],
                contact_name=data["contact_name"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                national_id=data.get("national_id", ""),
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                address=data.get("address", ""),
                user=CITIZEN,
                to_responsible_unit=True,
                receipt="email" if data["contact_email"] else "",
                attachments=data["attachments"],
            )
            min_side.link(
                getattr(request, "citizen", None),
                registered.inquiry,
                min_side.CitizenCaseHow.SUBMITTED,
                user=CITIZEN,
            )
            return {"reference": registered.inquiry.reference, "token": registered.token}

        try:
            # A double submit (same one-time token) registers once and shows the first receipt.
            receipt_data, _first = submit_once(request, "inquiries.contact", register)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            # The session keeps the reference and the case's mark, not the token (which the sealed
            # double-submit result keeps, for the form's page only: core/once.py).
            token_hash = hash_token(receipt_data["token"])
            request.session[RECEIPT_KEY] = {"reference": receipt_data["reference"]}
            _remember_case(request, receipt_data["reference"], token_hash)
            return redirect("inquiries_public:receipt")
    reply_days, reply_by = promised_reply(municipality.pk, service, Channel.WEB_FORM)
    return render(
        request,
        "inquiries/public/contact.html",
        {
            "form": form,
            "service": service,
            "municipality": municipality,
            "reply_days": reply_days,
            "reply_by": reply_by,
            "reply_promise": _reply_promise(service),
            "map": map_settings(municipality) if form.asks_location else None,
            "address_search": form.asks_location and addresses.enabled(),
        },
    )


@require_GET
@never_cache
def address_search(request):
    """Suggestions for the contact form's address field (static/js/location-map.js): addresses of
    the portal's municipality from Kartverket's register, asked by this server (core/addresses.py),
    as JSON ``{"results": [{"label", "lat", "long", ...}], "message": "3 treff"}``. A register that
    does not answer is a 503 with a message that says what she can do instead."""
    municipality = _municipality(request)
    throttle = RateThrottle("address_search")
    if not throttle.allow_request(request, None):
        response = JsonResponse({"results": [], "message": throttled_message(throttle.wait())}, status=429)
        response["Retry-After"] = str(int(throttle.wait() or 60))
        return response
    query = addresses.normalise(request.GET.get("q", ""))
    if len(query) < addresses.MIN_QUERY_LENGTH:
        return JsonResponse({"results": [], "message": ""})
    try:
        found = addresses.suggest(query, municipality_number=addresses.municipality_number(municipality))
    except addresses.AddressSearchError:
        return JsonResponse(
            {
                "results": [],
                "message": _(
                    "The address search does not answer just now. Mark the place on the map, or "
                    "describe it in words in the field."
                ),
            },
            status=503,
        )
    if found:
        message = ngettext(
            "%(count)d match. Use the down arrow to choose.",
            "%(count)d matches. Use the down arrow to choose.",
            len(found),
        ) % {"count": len(found)}
    else:
        message = _("No address matches. Check the spelling, or describe the place in words.")
    return JsonResponse({"results": [a.as_json() for a in found], "message": message})


def _reply_promise(service):
    """The service's published reply promise (its plain words and guarantee), if it has one."""
    if service is None or service.published_version is None:
        return None
    return next((p for p in service.published_version.promises.all() if p.kind == "reply"), None)


@never_cache
def receipt(request):
    data = request.session.get(RECEIPT_KEY)
    if not data:
        return redirect("inquiries_public:contact")
    inquiry = Inquiry.objects.select_related("service").filter(reference=data["reference"]).first()
    if inquiry is None or not _has_case(request, inquiry):
        raise Http404
    # The link (with its token) only in the minutes after the form was sent; later the receipt shows
    # the reference and points to the e-mail, so a session left open does not hand out the case link
    # for its whole life (10 hours; review 2 §2.9).
    link = ""
    if timezone.now() - inquiry.received_at <= RECEIPT_LINK_SHOWN_FOR:
        link = request.build_absolute_uri(
            reverse(
                "inquiries_public:case",
                kwargs={"reference": inquiry.reference, "token": inquiry.link_token()},
            )
        )
    files = [a.name for a in selectors.citizen_attachments(inquiry).order_by("pk")]
    return _same_origin_referrer(
        render(
            request,
            "inquiries/public/receipt.html",
            {
                "inquiry": inquiry,
                "link": link,
                # What she sent, confirmed: the e-mailed copy, her files and the place. For a
                # sensitive service the page names neither the files nor the place (it opens without
                # the one-time code), only that they came.
                "emailed_to": receipt_sent_to(inquiry),
                "sensitive": is_sensitive(inquiry),
                "files": files,
                "file_count": len(files),
                "has_place": bool(inquiry.address or inquiry.has_place),
            },
        )
    )


def _lookup_scope(request):
    # Lost-link requests count per client address (and, in the service, per reference and address).
    return None if "reference" in request.POST else "lost_link"


@sensitive_post_parameters("token", "lost-email")
@throttle_post(_lookup_scope)
def lookup(request):
    # The form posts (a token in a query string would land in access logs); GET still answers.
    data = request.POST if "reference" in request.POST else request.GET
    form = LookupForm(data if ("reference" in data or "token" in data) else None)
    if form.is_bound and form.is_valid():
        reference = form.cleaned_data["reference"].strip().upper()
        inquiry = _case_by_token(reference, form.cleaned_data["token"].strip())
        if inquiry is not None:
            _remember_case(request, inquiry.reference, inquiry.token_hash)
            return redirect("inquiries_public:case-query", reference=inquiry.reference)
        form.add_error(None, _("No case has this reference and code. Check them and try again."))
    lost = LostLinkForm(request.POST or None, prefix="lost")
    if request.method == "POST" and "reference" not in request.POST and lost.is_valid():
        services.request_case_link(user=CITIZEN, **lost.cleaned_data)
        # The same answer whether or not a case has this reference and address.
        messages.success(
            request,
            _(
                "If the reference and the e-mail address belong to a case, we have sent a new link "
                "to that address. It can take a few minutes."
            ),
        )
        return redirect("inquiries_public:lookup")
    if "reference" in request.POST:
        lost = LostLinkForm(prefix="lost")
    return render(
        request,
        "inquiries/public/lookup.html",
        {"form": form, "lost": lost},
        status=400 if lost.errors or form.errors else 200,
    )


def _case_or_404(request, reference: str) -> Inquiry:
    """The case this session opened with its link (:func:`open_case`), else a 404."""
    inquiry = (
        Inquiry.objects.select_related("service", "municipality").filter(reference=reference.upper()).first()
    )
    if inquiry is None or not _has_case(request, inquiry):
        raise Http404
    return inquiry


def _step_up_or_404(request, reference: str):
    """Hers on Min side, but her log-in is below the level the case's service asks for: to ID-porten
    to step up, then back here. Anyone else: a 404."""
    inquiry = (
        Inquiry.objects.select_related("service", "municipality").filter(reference=reference.upper()).first()
    )
    if inquiry is not None and min_side.owns(getattr(request, "citizen", None), inquiry):
        return redirect(login_url(request.get_full_path(), min_side.level_for(inquiry)))
    raise Http404


def _case_by_token(reference: str, token: str) -> Inquiry | None:
    inquiry = (
        Inquiry.objects.select_related("service", "municipality").filter(reference=reference.upper()).first()
    )
    if inquiry is None or not inquiry.check_token(token):
        return None
    return inquiry


@never_cache
def open_case(request, reference, token):
    """The case link: checked, remembered in the session (a mark, not the token), and on to the
    token-free address, so that the token is in one request line only (and not in the Referer of
    anything the case page loads)."""
    inquiry = _case_by_token(reference, token)
    if inquiry is None:
        raise Http404
    _remember_case(request, inquiry.reference, inquiry.token_hash)
    min_side.link(getattr(request, "citizen", None), inquiry, min_side.CitizenCaseHow.OPENED, user=CITIZEN)
    return _same_origin_referrer(redirect("inquiries_public:case-query", reference=inquiry.reference))


@never_cache
@throttle_post("case_message")
def case(request, reference):
    token = request.GET.get("token", "")
    if token:  # the query-string form of the link: as the path form
        return open_case(request, reference, token)
    try:
        inquiry = _case_or_404(request, reference)
    except Http404:
        return _step_up_or_404(request, reference)
    if not _verified(request, inquiry):
        return redirect("inquiries_public:case-code", reference=inquiry.reference)
    form = CitizenReplyForm(request.POST or None, request.FILES or None)
    can_write = inquiry.state != State.CLOSED
    if request.method == "POST" and can_write and form.is_valid():
        try:
            services.citizen_message(
                inquiry,
                text=form.cleaned_data["text"],
                attachments=form.cleaned_data["attachments"],
                user=CITIZEN,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Thank you. Your message is added to the case."))
            return redirect("inquiries_public:case-query", reference=inquiry.reference)
    log = inquiry.messages.filter(kind__in=PUBLIC_MESSAGE_KINDS)
    return _same_origin_referrer(
        render(
            request,
            "inquiries/public/case.html",
            {
                "inquiry": inquiry,
                "log": log,
                "form": form,
                "can_write": can_write,
                "attachments": selectors.citizen_attachments(inquiry),
                # What later apps add (e.g. the satisfaction question once closed): case_extensions.py.
                # No token: this page is token-free, and they find the case by the session's mark
                # (case_in_session), as this page does (review 2 §2.9).
                "case_panels": case_extensions.case_panels(request, inquiry, ""),
                "verified_idle_minutes": int(VERIFIED_IDLE.total_seconds() // 60)
                if is_sensitive(inquiry)
                else 0,
            },
            status=400 if form.errors else 200,
        )
    )


@never_cache
def case_attachment(request, reference, pk):
    """A file of the case, for the session that opened the case with its link; always downloaded,
    never shown."""
    inquiry = _case_or_404(request, reference)
    if not _verified(request, inquiry):
        return redirect("inquiries_public:case-code", reference=inquiry.reference)
    attachment = selectors.citizen_attachments(inquiry).filter(pk=pk).first()
    if attachment is None:
        raise Http404
    return _same_origin_referrer(attachment_response(attachment))


@never_cache
def open_case_attachment(request, reference, token, pk):
    """A file by the case link (``<link>vedlegg/<id>/``): as :func:`open_case`, on to the address
    without the token."""
    inquiry = _case_by_token(reference, token)
    if inquiry is None or not selectors.citizen_attachments(inquiry).filter(pk=pk).exists():
        raise Http404
    _remember_case(request, inquiry.reference, inquiry.token_hash)
    return _same_origin_referrer(
        redirect("inquiries_public:case-attachment", reference=inquiry.reference, pk=pk)
    )


def _refused_message(refused: case_codes.CodeRefused) -> str:
    if refused.reason == "wait":
        return ngettext(
            "We sent you a code a moment ago. Wait %(n)d second before you ask for a new one.",
            "We sent you a code a moment ago. Wait %(n)d seconds before you ask for a new one.",
            refused.wait,
        ) % {"n": refused.wait}
    if refused.reason == "too_many":
        minutes = max(1, -(-refused.wait // 60))
        return ngettext(
            "We have sent too many codes for this case. Try again in %(n)d minute, or call us.",
            "We have sent too many codes for this case. Try again in %(n)d minutes, or call us.",
            minutes,
        ) % {"n": minutes}
    return _("We cannot send a code there. Choose where to send it.")


def _checked_message(checked: case_codes.Checked) -> str:
    if checked.reason == "wrong":
        return ngettext(
            "The code is wrong. You can try %(n)d more time.",
            "The code is wrong. You can try %(n)d more times.",
            checked.left,
        ) % {"n": checked.left}
    if checked.reason == "locked":
        return _("The code was wrong too many times. Ask for a new code.")
    return _("The code has expired or has been used. Ask for a new code.")


@never_cache
@sensitive_post_parameters("code")
@throttle_post("case_code")
def case_code(request, reference):
    """The one-time code a sensitive service's case asks for after its link (issue 24 §1): send a
    code to the phone or e-mail on the case, then give it back. Only for the session that opened
    the case with its link; the code works only in this session and for this case."""
    inquiry = _case_or_404(request, reference)
    if not is_sensitive(inquiry) or _verified(request, inquiry):
        return redirect("inquiries_public:case-query", reference=inquiry.reference)
    destinations = case_codes.destinations(inquiry)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    send_form = SendCaseCodeForm(
        request.POST if action == "send" else None, destinations=destinations, prefix="send"
    )
    code_form = CaseCodeForm(request.POST if action == "verify" else None)
    if action == "send" and send_form.is_valid():
        channel = send_form.cleaned_data["channel"]
        try:
            case_codes.send_code(
                inquiry, channel=channel, binding=_code_binding(request, create=True), user=CITIZEN
            )
        except case_codes.CodeRefused as refused:
            send_form.add_error(None, _refused_message(refused))
        else:
            shown = next(d.shown for d in destinations if d.channel == channel)
            messages.success(
                request,
                _("We have sent a code to %(to)s. It can take a minute to arrive.") % {"to": shown},
            )
            return redirect("inquiries_public:case-code", reference=inquiry.reference)
    binding = _code_binding(request)
    if action == "verify" and code_form.is_valid():
        checked = case_codes.check_code(
            inquiry, binding=binding, code=code_form.cleaned_data["code"], user=CITIZEN
        )
        if checked.ok:
            request.session.cycle_key()  # a new session id now that the session reads more
            _remember_verified(request, inquiry)
            return redirect("inquiries_public:case-query", reference=inquiry.reference)
        code_form.add_error("code", _checked_message(checked))
    live = case_codes.live_code(inquiry, binding=binding) if binding else None
    problem = ""
    if action == "verify" and code_form.errors and live is None:
        # The code is dead (used, expired, too many tries): the page says why and offers a new one.
        problem = code_form.errors["code"][0]
        code_form = CaseCodeForm()
    sent_to = ""
    if live is not None:
        sent_to = next((d.shown for d in destinations if d.channel == live.channel), "")
    return _same_origin_referrer(
        render(
            request,
            "inquiries/public/case_code.html",
            {
                "inquiry": inquiry,
                "destinations": destinations,
                "send_form": send_form,
                "code_form": code_form,
                "live": live,
                "problem": problem,
                "sent_to": sent_to,
                "lifetime_minutes": int(case_codes.CODE_LIFETIME.total_seconds() // 60),
                "municipality": inquiry.municipality,
                # Hers on Min side: ID-porten at the case's level does instead of the code (which
                # goes to the case's contact details: a relative acting for the person may lack them).
                "step_up_url": login_url(
                    reverse("inquiries_public:case-query", args=[inquiry.reference]),
                    min_side.level_for(inquiry),
                )
                if min_side.owns(getattr(request, "citizen", None), inquiry)
                else "",
            },
            status=400 if (send_form.errors or code_form.errors or problem) else 200,
        )
    )
