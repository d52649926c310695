"""Every function of the portfolio package that takes a Session; its only importer of sigma.db."""
