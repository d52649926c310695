"""Plotly figure builders: pure functions, data in, figure out (no Streamlit, no I/O)."""
