"""The command line (python -m metrics): argparse lives here and only here."""
