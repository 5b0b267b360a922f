"""The clinical safety case (DCB0129): the hazard log as data, the risk matrix and the generated report."""
