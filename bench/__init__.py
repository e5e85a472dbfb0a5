"""Benchmark suite: Tributary against the tools a user would pick instead (pandas, DuckDB,
polars, a plain script, a bare aiohttp handler), measured side by side in one invocation.

Run `python -m bench run --help`; docs/performance.md has the figures and how to reproduce them.
"""
