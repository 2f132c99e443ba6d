"""API conventions shared by every module: errors in Norwegian and English, never a 500 on bad input."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import status
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import exception_handler as drf_exception_handler

from .security import throttled_message


def exception_handler(exc, context):
    from .errors import is_database_unavailable, problem_unavailable

    if is_database_unavailable(exc):  # down or restarting: the client should retry, not give up
        return problem_unavailable()
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail=detail)
    elif isinstance(exc, Throttled):
        wait = getattr(exc, "wait", None)  # set by Throttled.__init__ (the stubs do not declare it)
        exc = Throttled(wait=wait, detail=throttled_message(wait))
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


class CopiedFieldsMixin:
    """A serializer whose fields are built once per class and copied shallowly for each instance.

    DRF deep-copies every declared field for every serializer instance, which re-runs each field's
    ``__init__`` and builds its validators again: most of what a small serializer costs. The fields
    of a class are built once here (for a ModelSerializer: from the model), and each instance gets
    shallow copies, which ``bind`` then gives their name and parent. Nested serializers are deep-copied
    as DRF does (they are bound to their own children).
    """

    _prototype_fields = None

    def get_fields(self):
        cls = type(self)
        if cls.__dict__.get("_prototype_fields") is None:
            cls._prototype_fields = super().get_fields()
        return {
            name: copy.deepcopy(field) if isinstance(field, BaseSerializer) else _shallow_copy(field)
            for name, field in cls._prototype_fields.items()
        }


def _shallow_copy(field):
    """``copy.copy(field)`` without the copy protocol's lookups (a tenth of a small serializer's cost)."""
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    return clone
