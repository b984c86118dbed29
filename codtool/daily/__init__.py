"""`codtool daily`: the operator's day in one run, over a folder of input files.

layout.py finds the input files, registry.py tells new files from processed ones (by content),
steps.py runs each stage through the same library functions the single commands call,
summary.py and exits.py say what happened and with which exit code, log.py writes the action
log, run.py ties them together under the ledger's run lock (codtool.ledger.locks).
"""
