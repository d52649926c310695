"""Every function of the insights package that takes a Session: the package's only importer of sigma.db."""
