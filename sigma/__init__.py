"""Sigma: a portfolio analytics workstation. The domain package, importable without Streamlit."""

__version__ = "0.1.0"
