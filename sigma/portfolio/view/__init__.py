"""Pure assembly of the Portfolio page's result objects from loaded data (no Session, no I/O)."""
