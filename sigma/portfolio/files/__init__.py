"""Broker files in and out: reading what brokers export, position and target imports, safe export."""
