"""Benchmarking's transition tables (core's registry discovers this module); each part declares its
own beside its models."""

from .ranking import workflow as ranking_workflow  # noqa: F401
