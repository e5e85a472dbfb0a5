"""Run nx-27017 with warnings-only logging (its default logs every command at INFO) and
booleans kept as booleans in updates (infra/stack/nx_bools)."""
import logging
import sys

from nx_27017.nx_27017 import main

from infra.stack.nx_bools import patch

if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("nx_27017").setLevel(logging.WARNING)
    patch()
    sys.exit(main())
