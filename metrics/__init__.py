"""Ward safety metrics: extract reading, clinical rules, the metric engine and the store.

Nothing in this package imports Streamlit; the dashboard reads what it stores.
"""
