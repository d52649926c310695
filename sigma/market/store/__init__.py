"""The price store: the `prices` and `securities` tables, the columnar reader, wide frames, the cache."""
