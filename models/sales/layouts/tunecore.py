"""TuneCore sales report (CSV). The file converts itself: `Net Sales` is in `Net Sales Currency`,
`Total Earned` = Net Sales × `Exchange Rate` in `Currency` (the account currency). Revenue is Net
Sales in its own currency; revenue_converted is the file's `Total Earned` (not the upload's rate)."""
from __future__ import annotations

from .base import tabular

TUNECORE = tabular(
    "tunecore",
    {
        "sale_period": "Sales Period", "statement_period": "Posted Date", "dsp": "Store Name",
        "territory": "Country Of Sale", "artist": "Artist", "release_title": "Release Title",
        "track_title": "Song Title", "upc": "UPC", "isrc": "Optional ISRC", "usage_type": "Sales Type",
        "quantity": "# Units Sold", "revenue": "Net Sales", "currency": "Net Sales Currency",
        "revenue_converted": "Total Earned",
    },
    required={"Sales Period", "Posted Date", "Store Name", "TC Song ID", "Net Sales", "Total Earned"},
)
