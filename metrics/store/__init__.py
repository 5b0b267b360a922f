"""The store: snapshots of every ward's metrics, kept forever, behind SQLAlchemy 2.

Why a package: models (the schema), database (engines and migrations), writer
(one refresh = one transaction) and queries (what the views read) change for
different reasons.
"""
