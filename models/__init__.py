"""The pure domain: no network, no service clients. Importing it makes decimal sums exact
(models.exact) in every thread of the process."""
from models.exact import use_exact_decimals

use_exact_decimals()
