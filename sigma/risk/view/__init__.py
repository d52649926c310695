"""Pure assembly of the Risk and Correlations pages' result objects (no Session, no I/O)."""
