"""Operator tooling behind `tributary replay`, `reimport`, `status` and `contract`."""
