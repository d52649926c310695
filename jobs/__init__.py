"""The jobs process: `python -m jobs serve|run NAME|list|seed-demo|init|logins`."""
