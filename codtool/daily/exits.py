"""`codtool daily` exit codes: stable, documented in the README, chosen once here.

3 matches `remit reconcile --fail-on-discrepancy`; 65 and 75 are sysexits.h's EX_DATAERR and
EX_TEMPFAIL, which cron wrappers and systemd already know. 2 stays click's usage error.
"""

from __future__ import annotations

DONE = 0             # every step ran, nothing needs a person
FAILED = 1           # a step (or the run) failed; others that did not depend on it still ran
ATTENTION = 3        # done, but discrepancies, overdue money or rejected lines need a person
BAD_INPUT = 65       # some input files could not be read at all (named in the summary); the rest were processed
LOCKED = 75          # another run holds the ledger's lock; nothing was done: try again later

MEANING = {DONE: "done", FAILED: "failed", ATTENTION: "attention", BAD_INPUT: "bad_input", LOCKED: "locked"}


def exit_code(failed: bool, bad_files: bool, attention: bool) -> int:
    """The most urgent outcome wins: a failure, then unreadable files, then work for a person."""
    if failed:
        return FAILED
    if bad_files:
        return BAD_INPUT
    return ATTENTION if attention else DONE
