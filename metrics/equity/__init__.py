"""The equity lens: every proportion metric split by deprivation, ethnic group, age band and sex.

Why this exists: a ward's rate can hide that one group of its patients fares worse. The splits are counted in the
engine stage from the same patient-level rows the metric counts (``metrics.equity.splits``), stored per ward per
snapshot, and read by the executive view with the slope index of inequality (``metrics.equity.sii``) and small
numbers suppressed (``metrics.equity.suppression``). No Streamlit here.
"""
