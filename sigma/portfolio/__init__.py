"""Portfolios: positions, options and Greeks, valuation, P&L, exposures and snapshots."""
