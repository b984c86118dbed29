"""Domain errors, caught once at the CLI edge and shown as one line (exit 1)."""

from __future__ import annotations


class CodtoolError(Exception):
    """Base class: anything the user can fix by changing input or options."""


class InputFileError(CodtoolError):
    """An input file cannot be read as the table it should be."""

    def __init__(self, path: object, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.line = line


class MappingError(CodtoolError):
    """A column-mapping or courier-mapping file is malformed."""


class AmountError(CodtoolError):
    """A money amount cannot be read exactly."""


class LedgerError(CodtoolError):
    """The ledger file cannot be opened, migrated or written."""


class NotFound(CodtoolError):
    """A referenced order, batch or cluster does not exist."""
