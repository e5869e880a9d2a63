"""Contact-center metrics, defined once.

The live wallboard, the interval reports and the Prometheus export all compute their figures
with these functions, so a number on the board is the number in the report for the same period.
Pure: plain records in, figures out, ``now`` passed in. Formulas are in each docstring and in
docs/metrics.md.
"""
