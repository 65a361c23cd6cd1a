"""Pure, vectorised statistics for the outcomes framework.

Nothing in this package imports Django: every function takes numbers or numpy arrays and
returns numbers, arrays or small dataclasses, so the ingest pipeline can apply it to millions
of rows and tests can run it without a database. The methods follow OHID Fingertips /
PHEindicatormethods and NHS England's Making Data Count; ``docs`` of each module names its
source.
"""
