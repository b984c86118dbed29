"""Errors of the shipping stage, shown as one line at the CLI edge (exit 1)."""

from __future__ import annotations

from codtool.errors import CodtoolError, MappingError


class UnknownCourier(CodtoolError):
    """No status mapping is configured for this courier."""


class CourierMappingError(MappingError):
    """A courier status mapping (TOML) is malformed or maps to an unknown status."""
