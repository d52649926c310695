"""The Portfolio page's Streamlit helpers: `view` draws the view, `forms` edits the book, `imports` moves CSV files."""
