"""The price store: `prices` (the store), `catalog` (what it holds), `refresh` (incremental fetches),
`bars` (what goes in), `reader` (ADBC reads), `frames` (wide frames), `cache` (the frame cache)."""
