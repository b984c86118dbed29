"""Which found files are new: a file is known by its content hash, never by its name or date.

A file renamed, touched or copied to another day's folder is still the same file; a file
edited and saved again is a new one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from codtool.daily.layout import InputFile
from codtool.ledger import Session
from codtool.ledger import files as store
from codtool.ledger.files import FileKey

_BLOCK = 1 << 20


@dataclass(frozen=True)
class Candidate:
    file: InputFile
    key: FileKey
    size: int


def sha256_of(file: InputFile) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with file.path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def candidate(file: InputFile) -> Candidate:
    sha, size = sha256_of(file)
    return Candidate(file, FileKey(file.kind, file.scope, sha), size)


def split_new(session: Session, candidates: list[Candidate]) -> tuple[list[Candidate], list[Candidate]]:
    """(new, already processed); a file found twice in one run (a copy) counts as new once."""
    known = store.known(session, [c.key for c in candidates])
    new, old, seen = [], [], set()
    for c in candidates:
        if c.key in known or c.key in seen:
            old.append(c)
        else:
            seen.add(c.key)
            new.append(c)
    return new, old


def record(session: Session, c: Candidate, rejected_lines: int) -> bool:
    return store.record(session, c.key, c.file.name, c.size, rejected_lines)
