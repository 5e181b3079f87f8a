"""Pieces of the API schema that several apps share (drf-spectacular)."""

from __future__ import annotations

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers


def paginated(serializer_class: type[serializers.Serializer], name: str) -> serializers.Serializer:
    """The page ``PageNumberPagination`` answers: ``{count, next, previous, results: [...]}``."""
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )
