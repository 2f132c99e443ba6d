"""Serving an attachment: always as a download, never rendered by the browser, never cached."""

from django.http import FileResponse, Http404

from .models import Attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    """The file with ``Content-Disposition: attachment`` (RFC 6266 name, through Django's
    ``content_disposition_header``), the content type found when it was checked, ``nosniff``,
    ``no-store`` and a sandboxing CSP (should a browser show it anyway, it runs nothing)."""
    if not attachment.file:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
