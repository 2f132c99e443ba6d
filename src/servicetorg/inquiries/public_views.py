"""Citizen pages: contact forms (general and per service), receipt, and following a case without login."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from servicetorg.catalogue import selectors as catalogue_selectors
from servicetorg.catalogue.models import Service
from servicetorg.core.choices import Channel
from servicetorg.core.forms import apply_validation_error
from servicetorg.core.once import submit_once
from servicetorg.core.permissions import CITIZEN
from servicetorg.core.portal import portal_municipality
from servicetorg.core.security import throttle_post

from . import case_extensions, selectors, services
from .deadlines import promised_reply
from .downloads import attachment_response
from .forms import CitizenReplyForm, ContactForm, LookupForm, LostLinkForm
from .models import PUBLIC_MESSAGE_KINDS, AttachmentSource, Inquiry, MessageKind, State

RECEIPT_KEY = "inquiries_receipt"


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


@throttle_post("contact")
def contact(request, slug=None):
    municipality = _municipality(request)
    service = None
    if slug is not None:
        try:
            service = catalogue_selectors.published_service(municipality, slug)
        except Service.DoesNotExist as exc:
            raise Http404 from exc
    form = ContactForm(
        request.POST or None, request.FILES or None, municipality=municipality, service=service
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def register() -> dict:
            registered = services.register(
                municipality=municipality,
                channel=Channel.WEB_FORM,
                service=service or data.get("service"),
                subject=data["subject"],
                body=data["body"],
                contact_name=data["contact_name"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                national_id=data.get("national_id", ""),
                user=CITIZEN,
                to_responsible_unit=True,
                receipt="email" if data["contact_email"] else "",
            )
            if data["attachments"]:
                services.add_attachments(
                    registered.inquiry,
                    data["attachments"],
                    user=CITIZEN,
                    source=AttachmentSource.CITIZEN,
                    message=registered.inquiry.messages.filter(kind=MessageKind.CITIZEN).first(),
                )
            return {"reference": registered.inquiry.reference, "token": registered.token}

        try:
            # A double submit (same one-time token) registers once and shows the first receipt.
            receipt_data, _first = submit_once(request, "inquiries.contact", register)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            request.session[RECEIPT_KEY] = receipt_data
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
        },
    )


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
    if inquiry is None:
        raise Http404
    link = request.build_absolute_uri(
        reverse("inquiries_public:case", kwargs={"reference": inquiry.reference, "token": data["token"]})
    )
    return _same_origin_referrer(
        render(request, "inquiries/public/receipt.html", {"inquiry": inquiry, "link": link})
    )


def lookup(request):
    form = LookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect(
            "inquiries_public:case",
            reference=form.cleaned_data["reference"].strip().upper(),
            token=form.cleaned_data["token"].strip(),
        )
    lost = LostLinkForm(request.POST or None, prefix="lost")
    if request.method == "POST" and lost.is_valid():
        services.resend_case_link(user=CITIZEN, **lost.cleaned_data)
        # The same answer whether or not a case has this reference and address.
        messages.success(
            request,
            _(
                "If the reference and the e-mail address belong to a case, we have sent a new link "
                "to that address. It can take a few minutes."
            ),
        )
        return redirect("inquiries_public:lookup")
    return render(
        request,
        "inquiries/public/lookup.html",
        {"form": form, "lost": lost},
        status=400 if lost.errors else 200,
    )


def _case_or_404(reference: str, token: str) -> Inquiry:
    inquiry = (
        Inquiry.objects.select_related("service", "municipality").filter(reference=reference.upper()).first()
    )
    if inquiry is None or not inquiry.check_token(token):
        raise Http404
    return inquiry


@never_cache
@throttle_post("case_message")
def case(request, reference, token=None):
    token = token or request.GET.get("token", "")
    inquiry = _case_or_404(reference, token)
    form = CitizenReplyForm(request.POST or None, request.FILES or None)
    can_write = inquiry.state != State.CLOSED
    if request.method == "POST" and can_write and form.is_valid():
        try:
            services.citizen_message(
                inquiry, text=form.cleaned_data["text"], attachments=form.cleaned_data["attachments"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Thank you. Your message is added to the case."))
            return redirect("inquiries_public:case", reference=inquiry.reference, token=token)
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
                "token": token,
                # What later apps add (e.g. the satisfaction question once closed): case_extensions.py
                "case_panels": case_extensions.case_panels(request, inquiry, token),
            },
            status=400 if form.errors else 200,
        )
    )


@never_cache
def case_attachment(request, reference, token, pk):
    """A file of the case, for the holder of the case link only; always downloaded, never shown."""
    inquiry = _case_or_404(reference, token)
    attachment = selectors.citizen_attachments(inquiry).filter(pk=pk).first()
    if attachment is None:
        raise Http404
    return _same_origin_referrer(attachment_response(attachment))
