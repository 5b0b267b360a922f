"""A synthetic trust: seeded extracts in the contract's shape, with deliberate bad rows, for the demo and
the tests. No real patient data."""
