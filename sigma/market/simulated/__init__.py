"""The simulated market: Sigma's embedded default, a seeded multi-factor market of ~150 symbols."""
