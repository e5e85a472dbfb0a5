"""Analytics execution: DuckDB over the sales Parquet of the object store (duck.py), fed with
the organisation's counted files, base currency and rates from MongoDB (run.py)."""
