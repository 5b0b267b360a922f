"""What is drawn from stored results outside the live views: SPC figures and sparklines, and the monthly board
report."""
