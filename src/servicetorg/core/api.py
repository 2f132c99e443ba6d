"""API conventions shared by every module: errors in Norwegian and English, never a 500 on bad input."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail=detail)
    elif isinstance(exc, IntegrityError):
        return Response(
            {"detail": "Konflikt med eksisterende data. / Conflicts with existing data."},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)


class Pagination(LimitOffsetPagination):
    """Limit/offset paging that keeps both numbers in range, whatever a client sends."""

    max_limit = 500
    max_offset = 2**31 - 1  # PostgreSQL compares OFFSET as bigint; a larger number is a 500 otherwise

    def get_offset(self, request):
        return min(super().get_offset(request), self.max_offset)
