"""Exceptions the CLI turns into one-line messages and exit codes (never tracebacks)."""

from __future__ import annotations


class OtsKgError(Exception):
    """A usage or input problem: the CLI prints it and exits 2."""

    exit_code = 2


class LoadError(OtsKgError):
    """A file that cannot be read or parsed; the message starts with `file:line:`."""


class QueryError(OtsKgError):
    """An unknown stored query, a bad parameter or a query the engine rejects."""
