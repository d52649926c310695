"""Every function of the risk package that takes a Session; its only importer of sigma.db."""
