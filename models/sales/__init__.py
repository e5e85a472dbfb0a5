"""Sales-report cleaning: pure domain logic (local file in, canonical Arrow batches out)."""
