"""Tributary's composition root: the `tributary` command (tributary/cli.py) and the process
entry points (gateway, worker). It is the one place that knows every layer — it builds the
settings once (infra/config.py) and hands them to the gateway, the agents or the embedded stack;
nothing but the tests imports it (tests/unit/test_layering.py)."""
