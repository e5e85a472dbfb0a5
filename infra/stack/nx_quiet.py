"""Run nx-27017 with warnings-only logging (its default logs every command at INFO)."""
import logging
import sys

from nx_27017.nx_27017 import main

if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("nx_27017").setLevel(logging.WARNING)
    sys.exit(main())
