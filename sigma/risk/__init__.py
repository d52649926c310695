"""Risk analytics: pure, vectorised functions over DataFrames of daily returns (dates x assets).

Top level, one module per concept (no I/O, no settings): performance (returns, ratios,
drawdowns; `columns` holds their NaN-aware helpers), tail (historical and normal VaR/CVaR of
returns), beta, correlation, volatility (realized, EWMA, HAR-RV), style (style factors as ETF
spreads), factors (exposures, risk decomposition, attribution), option_book, simulation and var
(portfolio VaR), stress and scenarios, sector, concentration (HHI, diversification).
`service.py` is the only entry; `view/` assembles the page results; `sql/` holds the Session code.
"""
