"""Streamlit-only helpers: the one sigma subpackage that imports streamlit.

`shell` (cached services, sidebar, data badge), `auth` (login glue), `cache` (cached risk views,
per-user invalidation), `format` (money, percentages, provenance, metric rows), `portfolio/` (the
Portfolio page's view, forms and CSV flows) and `risk/` (the Risk page's sections).
"""
