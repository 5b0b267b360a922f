"""What leaves the dashboard as a file: CSV exports that a spreadsheet opens safely."""
