"""Give Open311 back the requests 0009 lost (issue 18 §3.3).

0009 marked as Open311's only the inquiries whose POST was still kept (24 hours): a request filed
earlier became a 404 for the client that filed it. Before 0009 Open311 registered its requests as
web-form inquiries, so only what is certain is backfilled, never a guess (a web-form inquiry
published on Open311 would tell who contacted which service, and when):

* every inquiry named by a kept Open311 submission, with that submission's client;
* every inquiry with a file or link an Open311 client sent (``Attachment.source`` "open311"), with
  its municipality's API client when it has exactly one (else no client: the request is listed and
  found again, its ``description`` goes to no one).

A request marked before with no client gets the client that is now known. Re-running is harmless.
"""

from django.db import migrations


def backfill(apps, schema_editor):
    Inquiry = apps.get_model("inquiries", "Inquiry")
    ApiClient = apps.get_model("inquiries", "ApiClient")
    Attachment = apps.get_model("inquiries", "Attachment")
    Open311Request = apps.get_model("inquiries", "Open311Request")
    Open311Submission = apps.get_model("inquiries", "Open311Submission")

    def mark(inquiry_id, client_id):
        request, created = Open311Request.objects.get_or_create(
            inquiry_id=inquiry_id, defaults={"client_id": client_id}
        )
        if not created and request.client_id is None and client_id is not None:
            Open311Request.objects.filter(pk=request.pk).update(client_id=client_id)

    kept = Open311Submission.objects.exclude(service_request_id="").values_list(
        "client_id", "client__municipality_id", "service_request_id"
    )
    for client_id, municipality_id, reference in kept.iterator():
        inquiry_id = (
            Inquiry.objects.filter(municipality_id=municipality_id, reference=reference)
            .values_list("pk", flat=True)
            .first()
        )
        if inquiry_id is not None:
            mark(inquiry_id, client_id)

    sole_client = {}
    for municipality_id, client_id in ApiClient.objects.values_list("municipality_id", "pk"):
        sole_client[municipality_id] = None if municipality_id in sole_client else client_id
    sent = (
        Attachment.objects.filter(source="open311")
        .values_list("inquiry_id", "inquiry__municipality_id")
        .distinct()
        .order_by()
    )
    for inquiry_id, municipality_id in sent.iterator():
        mark(inquiry_id, sole_client.get(municipality_id))


class Migration(migrations.Migration):
    dependencies = [
        ("inquiries", "0011_api_client_channel"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
