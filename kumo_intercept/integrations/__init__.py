"""Integrations with the tools users run: pytest, IPython/Jupyter, the command line."""
