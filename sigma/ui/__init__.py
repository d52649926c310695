"""Streamlit-only helpers: the one sigma subpackage that imports streamlit."""
