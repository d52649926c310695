"""The Risk page's sections: `sections` (performance, factors, volatility, VaR, sectors) and `stress`."""
