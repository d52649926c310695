"""Pure pricing of instruments: Black–Scholes–Merton prices, Greeks, implied vol, OCC symbols.

The lowest layer of the domain: `portfolio` and `risk` import it; it imports neither.
"""
