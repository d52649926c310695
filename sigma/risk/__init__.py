"""Risk analytics: pure, vectorised functions over DataFrames of daily returns (dates x assets).

One module per family: performance (returns, ratios, drawdowns, historical and parametric
VaR/CVaR), correlation, volatility (realized, EWMA, HAR-RV), beta (market, rate, rolling),
factors, var (Monte Carlo), stress, sector. No I/O and no settings here; services call them.
"""
