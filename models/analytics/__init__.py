"""Sales analytics over an organisation's imported rows: the DuckDB SQL (query.py, convert.py)
and the answer's shape (shape.py, csv_out.py). Pure: infra/analytics.py runs the SQL."""
