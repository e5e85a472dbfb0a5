"""`python -m tributary …` runs the `tributary` command (what the stack starts children with)."""
import sys

from tributary.cli import main

sys.exit(main())
