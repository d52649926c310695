"""Every function of the auth package that takes a Session; its only importer of sigma.db."""
