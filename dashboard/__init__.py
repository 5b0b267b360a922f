"""The Streamlit views: thin pages over the stored snapshots (no clinical rule is computed here)."""
