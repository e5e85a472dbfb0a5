"""Layout inference on header sets of real exports, collected from public documentation of
distributors, DSPs and label software (sources named per set; column names only, values are
made up here by the kind of each column). Each set states the mapping expected of it."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from models.sales.infer import infer

ISRCS = ["GBXYZ2400001", "USABC2312345", "FRZ012400077", "DEAB12500010", "NLC1E2400003"]
UPCS = ["012345678905", "5012345678900", "0724384960650", "4006381333931", "036000291452"]


def _value(kind: str, r: int) -> str:
    return {
        "isrc": ISRCS[r % 5], "upc": UPCS[r % 5], "territory": ["GB", "US", "DE", "FR", "BR"][r % 5],
        "currency": ["USD", "EUR", "GBP", "USD", "EUR"][r % 5], "quantity": str([12, 3, 1500, 7, 40][r % 5]),
        "revenue": ["1.234567", "0.000812", "12.50", "-0.3", "7.125"][r % 5],
        "money": ["2.5", "0.11", "13.99", "0.5", "9.1"][r % 5], "rate": ["0.79", "0.79", "1.08", "0.79", "0.91"][r % 5],
        "sale_period": "2025-06", "statement_period": "2025-07", "date": "2025-06-30",
        "dsp": ["Spotify", "Apple Music", "Deezer", "Amazon", "YouTube"][r % 5],
        "artist": ["Aurora Vale", "The Examples", "Mira K", "Los Ejemplos", "Nord"][r % 5],
        "track_title": ["First Song", "Second Song", "Nordlicht", "Canción", "Zuid"][r % 5],
        "release_title": ["Example EP", "Example EP", "Polar LP", "Álbum", "Zuid EP"][r % 5],
        "usage_type": ["stream", "download", "stream", "ugc", "stream"][r % 5],
        "int": str(1000 + r), "unit": "0.5", "pct": "100", "text": ["a", "b", "c", "d", "e"][r % 5],
    }[kind]


def _kind(header: str, field: str | None) -> str:
    if field:
        return field
    h = header.lower()
    if re.search(r"rate|exchange", h):
        return "rate"
    if re.search(r"percent|share %|%", h):
        return "pct"
    if re.search(r"price|gross|fee|amount|tax|cost|withh|total|revenue|royalt|earn|paid|value|receipts|net", h):
        return "money"
    if re.search(r"date|period|month", h):
        return "date"
    if re.search(r"\bid\b|number|count|serial|sku|no\b", h):
        return "int"
    return "text"


def _rows(headers: list[str], expected: dict[str, str], extra: dict[str, str]) -> list[list[str]]:
    """Header + 8 rows; a `unit` column holds the unit amount of which revenue = unit × quantity."""
    kinds = [extra.get(h) or _kind(h, expected.get(h)) for h in headers]
    rows = [[_value(k, r) for k in kinds] for r in range(8)]
    if "unit" in kinds:
        u, q, v = kinds.index("unit"), kinds.index("quantity"), kinds.index("revenue")
        for r, row in enumerate(rows):
            row[u] = ["0.0071", "0.69", "0.004", "0.99", "0.0062"][r % 5]
            row[v] = str(Decimal(row[u]) * int(row[q]))
    return [headers] + rows


# (source, headers separated by " | ", {header: field expected}, {header: value kind when not the default})
SETS = [
    ("Apple financial report fields (developer.apple.com)",
     "Start Date | End Date | UPC | ISRC/ISBN | Vendor Identifier | Quantity | Partner Share | Extended Partner Share | "
     "Partner Share Currency | Sales or Return | Apple Identifier | Artist/Show/Developer/Author | Title | "
     "Label/Studio/Network/Developer/Publisher | Grid | Product Type Identifier | ISAN/Other Identifier | Country Of Sale | "
     "Pre-order Flag | Promo Code | Customer Price | Customer Currency",
     {"UPC": "upc", "ISRC/ISBN": "isrc", "Quantity": "quantity", "Extended Partner Share": "revenue",
      "Partner Share Currency": "currency", "Country Of Sale": "territory", "Title": "track_title"},
     {"Start Date": "sale_period", "End Date": "date", "Customer Currency": "currency", "Partner Share": "unit"}),
    ("Apple legacy iTunes sales report",
     "Provider | Provider Country | Vendor Identifier | UPC | ISRC | Artist / Show | Title / Episode / Season | "
     "Label/Studio/Network | Product Type Identifier | Units | Royalty Price | Begin Date | End Date | Customer Currency | "
     "Country Code | Royalty Currency | Preorder | Customer Price",
     {"UPC": "upc", "ISRC": "isrc", "Units": "quantity", "Country Code": "territory", "Royalty Currency": "currency",
      "_sure": False},   # only a unit price (`Royalty Price`): no revenue column, so not sure
     {"Begin Date": "sale_period", "Customer Currency": "currency", "Provider Country": "territory",
      "Label/Studio/Network": "text", "Royalty Price": "money"}),
    ("YouTube Reporting API, music content owner",
     "date | asset_id | asset_title | isrc | upc | artist | album | record_label | country | adjustment_type | "
     "owned_views | partner_revenue",
     {"date": "sale_period", "isrc": "isrc", "upc": "upc", "artist": "artist", "album": "release_title",
      "country": "territory", "partner_revenue": "revenue", "owned_views": "quantity"}, {}),
    ("DistroKid excruciating detail (TrackShift wiki)",
     "Reporting Date | Sale Month | Store | Artist | Title | ISRC | UPC | Quantity | Team Percentage | Song/Album | "
     "Country of Sale | Songwriter Royalties Withheld | Earnings (USD)",
     {"Reporting Date": "statement_period", "Sale Month": "sale_period", "Store": "dsp", "ISRC": "isrc",
      "Quantity": "quantity", "Earnings (USD)": "revenue", "Country of Sale": "territory", "Title": "track_title"},
     {"Reporting Date": "statement_period"}),
    ("TuneCore sales report",
     "Sales Period | Posted Date | Store Name | Country Of Sale | Artist | Release Type | Release Title | Song Title | "
     "Label | UPC | Optional UPC | TC Song ID | Optional ISRC | Sales Type | # Units Sold | Per Unit Price | Net Sales | "
     "Net Sales Currency | Exchange Rate | Total Earned | Currency",
     {"Sales Period": "sale_period", "Posted Date": "statement_period", "Store Name": "dsp", "Song Title": "track_title",
      "Release Title": "release_title", "Optional ISRC": "isrc", "# Units Sold": "quantity", "Net Sales": "revenue"},
     {"Posted Date": "statement_period", "Currency": "currency", "Net Sales Currency": "currency"}),
    ("CD Baby tab-separated report",
     "Report Date | Sales Date | Quantity | Price | Subtotal | Isrc | Barcode | CDBabySku | Album Name | Artist Name | "
     "Track Name | Partner Name | Transaction Type | Delivery Country",
     {"Sales Date": "sale_period", "Quantity": "quantity", "Isrc": "isrc", "Barcode": "upc", "Album Name": "release_title",
      "Artist Name": "artist", "Track Name": "track_title", "Delivery Country": "territory", "Subtotal": "revenue"},
     {"Report Date": "statement_period", "Subtotal": "revenue"}),
    ("FUGA royalty_extended (Cargo Digital)",
     "Royalty ID | Asset ISRC | Asset Title | Asset Artist | Reported Royalty | Asset/Product | Territory | Quantity | "
     "Sale Type | Sale Start date | Sale End date | Sale Store Name | Exchange Rate | Currency | Product Title | "
     "Product Artist | Product UPC | Product Catalog Number",
     {"Asset ISRC": "isrc", "Asset Title": "track_title", "Reported Royalty": "revenue", "Territory": "territory",
      "Quantity": "quantity", "Sale Start date": "sale_period", "Sale Store Name": "dsp", "Product UPC": "upc",
      "Product Title": "release_title"}, {"Sale End date": "date"}),
    ("The Orchard revenue_details",
     "STATEMENT PERIOD | TRANSACTION DATE | STORE | SERVICE DETAIL | TRANSACTION TYPE | ROYALTY TYPE | TRACK ARTIST | "
     "PRODUCT ARTIST | TRACK | ISRC | DISPLAY UPC | NET SHARE ACCOUNT CURRENCY",
     {"STATEMENT PERIOD": "statement_period", "TRANSACTION DATE": "sale_period", "STORE": "dsp", "TRACK ARTIST": "artist",
      "TRACK": "track_title", "ISRC": "isrc", "DISPLAY UPC": "upc", "NET SHARE ACCOUNT CURRENCY": "revenue"},
     {"STATEMENT PERIOD": "statement_period", "ROYALTY TYPE": "text", "TRANSACTION TYPE": "text"}),
    ("Believe sales report",
     "Reporting month | Sales Month | Platform | Country/Region | Label Name | Artist Name | Release title | Track title | "
     "UPC | ISRC | Release Catalog nb | Release type | Sales Type | Quantity | Client Payment Currency | Unit Price | "
     "Mechanical Fee | Gross Revenue | Client share rate | Net Revenue",
     {"Reporting month": "statement_period", "Sales Month": "sale_period", "Platform": "dsp", "Artist Name": "artist",
      "Track title": "track_title", "Release title": "release_title", "Quantity": "quantity", "Net Revenue": "revenue",
      "Client Payment Currency": "currency", "Country/Region": "territory"},
     {"Reporting month": "statement_period", "Client share rate": "pct"}),
    ("DashGo payable report",
     "Transaction Date | Store | Product Type | Use Type | Artist Name | Track Title | ISRC | UPC | territory | units | Payable",
     {"Transaction Date": "sale_period", "Store": "dsp", "Artist Name": "artist", "Track Title": "track_title",
      "territory": "territory", "units": "quantity", "Payable": "revenue"}, {}),
    ("ONErpm Masters sheet",
     "Album Title | Track Title | Artists | Label | Product type | Store | Territory | Sales type | Transaction Month | "
     "Accounted Date | Original Currency | Gross (Original Currency) | Exchange Rate | Currency | Gross | Quantity | "
     "Share | Fees | Net",
     {"Album Title": "release_title", "Track Title": "track_title", "Artists": "artist", "Store": "dsp",
      "Transaction Month": "sale_period", "Accounted Date": "statement_period", "Quantity": "quantity", "Net": "revenue",
      "Currency": "currency"},
     {"Accounted Date": "statement_period", "Original Currency": "currency", "Share": "pct"}),
    ("SoundOn My Royalty CSV",
     "Reporting Period | Sales Period | Store Name | Sales Type | Sales Sub Type | Royalty Type | Track Artists | "
     "Track Title | ISRC | Track ID | UPC Code | Sales Region | Final Royalty (USD)",
     {"Reporting Period": "statement_period", "Sales Period": "sale_period", "Store Name": "dsp", "Track Artists": "artist",
      "ISRC": "isrc", "UPC Code": "upc", "Sales Region": "territory", "Final Royalty (USD)": "revenue"},
     {"Reporting Period": "statement_period"}),
    ("Secretly Distribution digital statement",
     "Internal Invoice Number | Customer | Catalog Number | Title_Description | UPC | Product ID | Artist | Product Title | "
     "Digital Service Provider_Subdescription | Country Code | Transaction Type | Quantity | Gross Unit Price | "
     "Total Gross Income | Distribution Fee Total | Label Net Unit Price | Label Net Total | dateProcessedlast",
     {"Artist": "artist", "Country Code": "territory", "Quantity": "quantity", "Label Net Total": "revenue",
      "dateProcessedlast": "sale_period", "UPC": "upc"}, {"Product ID": "isrc"}),
    ("Bandcamp sales export",
     "date | paid to | item type | item name | artist | currency | item price | quantity | sub total | "
     "transaction fee | net amount | bandcamp transaction id | isrc | upc | country code",
     {"date": "sale_period", "artist": "artist", "currency": "currency", "quantity": "quantity", "net amount": "revenue",
      "isrc": "isrc", "upc": "upc", "country code": "territory", "item name": "track_title"},
     {"bandcamp transaction id": "int", "sub total": "money"}),
    ("Too Lost (help.toolost.com)",
     "transaction_id | sale_date | accounting_date | reporting_date | release_title | release_id | track_title | track_id | "
     "channel | country | isrc | upc | units | unit_price | original_currency | share | rev_fee | earnings",
     {"sale_date": "sale_period", "release_title": "release_title", "track_title": "track_title", "channel": "dsp",
      "country": "territory", "isrc": "isrc", "units": "quantity", "earnings": "revenue"},
     {"accounting_date": "statement_period", "reporting_date": "statement_period", "original_currency": "currency",
      "share": "pct"}),
    ("White-label distributor (zendesk)",
     "start_date | end_date | confirmation_report_date | country | currency | type | units | unit_price | gross_total | "
     "channel_costs | taxes | net_total | currency_rate | channel | label | display_artist | release | upc | track | isrc",
     {"start_date": "sale_period", "country": "territory", "currency": "currency", "units": "quantity",
      "net_total": "revenue", "channel": "dsp", "display_artist": "artist", "release": "release_title", "track": "track_title",
      "isrc": "isrc", "upc": "upc"}, {"end_date": "date", "confirmation_report_date": "statement_period"}),
    ("Reprtoir statement import columns",
     "Sale Date | Reporting Date | Retailer | Country | ISRC | Track Title | Track Artist | UPC code | Album Title | "
     "Album Artist | Sale Type | Quantity | Gross Amount | Net Amount",
     {"Sale Date": "sale_period", "Reporting Date": "statement_period", "Retailer": "dsp", "Country": "territory",
      "ISRC": "isrc", "Track Title": "track_title", "Track Artist": "artist", "Album Title": "release_title",
      "Quantity": "quantity", "Net Amount": "revenue"}, {"Reporting Date": "statement_period"}),
    ("Sony Music usage report (Audius ddex-processor)",
     "Record Type | Provider Key | Report Start Date | Report End Date | Vendor Key Name | Country Key | Sales Type Key | "
     "UPC | ISRC | Gross Units | Returned Units | Invoice Value | Invoice Value Currency | Wholesale Price per Unit | "
     "Participant Full Name | Product Title | Track Title",
     {"Report Start Date": "sale_period", "Vendor Key Name": "dsp", "UPC": "upc", "ISRC": "isrc",
      "Invoice Value": "revenue", "Invoice Value Currency": "currency", "Product Title": "release_title",
      "Track Title": "track_title"},
     {"Report Start Date": "sale_period", "Report End Date": "date", "Gross Units": "quantity", "Returned Units": "int",
      "Country Key": "territory"}),
    ("Audius to FUGA sales report",
     "Service | Start_Date | End_Date | Sale_Date | Label | Album title | Artist | Track title | UPC | ISRC | DSP ID | "
     "Country of sale | Sales type | User type | Quantity | Currency | Royalty per item | Total royalty",
     {"Service": "dsp", "Album title": "release_title", "Artist": "artist", "Track title": "track_title", "UPC": "upc",
      "ISRC": "isrc", "Country of sale": "territory", "Quantity": "quantity", "Currency": "currency",
      "Total royalty": "revenue"}, {"Start_Date": "date", "End_Date": "date", "Sale_Date": "sale_period"}),
    ("Symphonic Distribution CSV export",
     "Reporting Period | Label | Release Name | Release Version | Release Artists | UPC Code | Catalogue | Track Title | "
     "Mix Version | ISRC Code | Track Artists | Digital Service Provider | Activity Period | Territory | Delivery | "
     "Content Type | Sale or Void | Count | Royalty ($US)",
     {"Reporting Period": "statement_period", "Release Name": "release_title", "UPC Code": "upc", "Track Title": "track_title",
      "ISRC Code": "isrc", "Digital Service Provider": "dsp", "Activity Period": "sale_period", "Territory": "territory",
      "Count": "quantity", "Royalty ($US)": "revenue"},
     {"Reporting Period": "statement_period", "Release Artists": "artist", "Catalogue": "text"}),
    ("Beatport statement export (support.beatport.com)",
     "PRODUCT_UPC | PRODUCT_CATALOGUE_NUMBER | TRACK_ISRC_CODE | LABEL | RELEASE | TRACK_TITLE | TRACK_ARTIST | "
     "TERRITORY | FORMAT | DELIVERY | TRANSACTION_DATE | CONTENT_TYPE | TRACK_COUNT | GROSS_CONTENT_REVENUE | "
     "PAID_PRICE | NET_CONTENT_REVENUE | MECHANICAL_WITHHOLDING",
     {"PRODUCT_UPC": "upc", "TRACK_ISRC_CODE": "isrc", "RELEASE": "release_title", "TRACK_TITLE": "track_title",
      "TRACK_ARTIST": "artist", "TERRITORY": "territory", "TRANSACTION_DATE": "sale_period",
      "NET_CONTENT_REVENUE": "revenue"}, {"TRACK_COUNT": "quantity"}),
    ("DPM Networks CSV report (docs.dpmnetworks.com)",
     "Reporting Period | Sale Month | Revenue Received By DSP | Content-Type | UPC | ISWC | Catalog Number | Store | "
     "Country | Artist | Release | Track | ISRC | Quantity | Net Revenue",
     {"Reporting Period": "statement_period", "Sale Month": "sale_period", "UPC": "upc", "Store": "dsp",
      "Country": "territory", "Artist": "artist", "Track": "track_title", "ISRC": "isrc", "Quantity": "quantity",
      "Net Revenue": "revenue"}, {"Reporting Period": "statement_period", "Revenue Received By DSP": "date"}),
    ("SmartRights digital mechanicals sales export",
     "begin_date | end_date | import_date | country_code | country | iswc | song_title | isrc | artist_name | "
     "release_title | store_name | offer_type | sale_type | usage_type | total_sales | distributor_tax | net_sales | "
     "currency | currency_rate | units",
     {"begin_date": "sale_period", "song_title": "track_title", "isrc": "isrc", "artist_name": "artist",
      "release_title": "release_title", "store_name": "dsp", "net_sales": "revenue", "currency": "currency",
      "units": "quantity"}, {"end_date": "date", "import_date": "date", "country": "territory", "country_code": "territory"}),
    ("Cargo physical statement (TrackShift fixture)",
     "Period | Catalogue No. | Label | Sold To | Sale / Cost | Type / Cost Reason | Country | Artist / Invoice Ref | "
     "Title / More info | UPC on report | Format | Net Qty | Gross value | Cost | Storage Costs | Distribution fee | "
     "Net after fee",
     {"Period": "sale_period", "Sold To": "dsp", "Country": "territory", "Artist / Invoice Ref": "artist",
      "Title / More info": "release_title", "Net Qty": "quantity", "Net after fee": "revenue"}, {}),
    ("Tributary generic export (issue 20)",
     "reporting_period | dsp | territory | isrc | upc | artist | track_title | release_title | quantity | unit_price | "
     "net_revenue | currency",
     {"reporting_period": "statement_period", "dsp": "dsp", "territory": "territory", "isrc": "isrc", "upc": "upc",
      "artist": "artist", "track_title": "track_title", "release_title": "release_title", "quantity": "quantity",
      "net_revenue": "revenue", "currency": "currency"}, {"reporting_period": "statement_period"}),
    ("Bandcamp full sales export (royaltyappv4 fixture)",
     "date | paid to | item type | item name | artist | currency | item price | quantity | discount code | sub total | "
     "tax | shipping | ship from country name | transaction fee | fee type | item total | amount you received | "
     "bandcamp transaction id | paypal transaction id | assessed revenue share | collected revenue share | "
     "balance of revenue share | change to payout balance | payout balance | net amount | package | option | item url | "
     "sku | catalog number | upc | isrc | buyer name | buyer email | ship to country | ship to country code | country | "
     "country code | region/state | city | referrer",
     {"date": "sale_period", "artist": "artist", "currency": "currency", "quantity": "quantity", "net amount": "revenue",
      "item name": "track_title", "upc": "upc", "isrc": "isrc", "country": "territory"},
     {"paid to": "text", "item type": "text", "discount code": "text", "fee type": "text", "ship to country": "territory",
      "ship to country code": "territory", "country code": "territory", "ship from country name": "territory",
      "bandcamp transaction id": "int", "paypal transaction id": "text", "sku": "text", "catalog number": "text",
      "package": "text", "option": "text", "item url": "text", "buyer name": "text", "buyer email": "text",
      "region/state": "text", "city": "text", "referrer": "text"}),
    ("ClicknClear royalty reporting spec, total row (github.com/ClicknClear/cnc-reporting-spec)",
     "Row Type | Income Type | Start Of Reporting Period | End Of Reporting Period | Number of Sales Of this Income Type | "
     "Currency | Balance Brought Forwards | Amounts Due To Rightsholder | Total Due To Rightsholder",
     {"Start Of Reporting Period": "statement_period", "Currency": "currency",
      "_sure": False},   # a totals row: no artist, track or release, so never imported by itself
     {"Start Of Reporting Period": "statement_period", "End Of Reporting Period": "date", "Row Type": "text",
      "Income Type": "text", "Number of Sales Of this Income Type": "quantity"}),
    ("YouTube Premium music revenue summary (developers.google.com, content_owner_country_music_red_revenue_summary)",
     "adjustment_type | month | country | monetized_views | partner_revenue | youtube_revenue_split",
     {"month": "sale_period", "country": "territory", "_sure": False}, {"adjustment_type": "text"}),
    ("SmartRights digital mechanicals distribution export",
     "_id | owner | owner_id | units | percent | value | artist_name | song_title | iswc | isrc | store_name | country | "
     "distributor | sales_id | created_at | report_name | sales_date | distributor_date | distributor_value",
     {"units": "quantity", "value": "revenue", "artist_name": "artist", "song_title": "track_title", "isrc": "isrc",
      "store_name": "dsp", "country": "territory", "sales_date": "sale_period"},
     {"_id": "int", "owner": "text", "percent": "pct", "created_at": "date", "distributor_date": "date",
      "distributor_value": "money", "iswc": "text"}),
    ("DDEX DSR Part 9 SR08 single-record block (dsr8.ddex.net field names)",
     "SalesTransactionDate | ReleaseICPN | ResourceISRC | ResourceTitle | DisplayArtistName | ReleaseTitle | "
     "Territory | TotalUsages | Returns | NetUsage | CurrencyOfAccounting | AllocatedNetRevenueInCurrencyOfAccounting",
     {"SalesTransactionDate": "sale_period", "ReleaseICPN": "upc", "ResourceISRC": "isrc",
      "DisplayArtistName": "artist", "ReleaseTitle": "release_title", "Territory": "territory",
      "CurrencyOfAccounting": "currency", "AllocatedNetRevenueInCurrencyOfAccounting": "revenue"},
     {"ResourceTitle": "track_title", "TotalUsages": "quantity", "Returns": "int", "NetUsage": "int"}),
]


def test_at_least_thirty_sets():
    assert len(SETS) >= 30 and len({s[0] for s in SETS}) == len(SETS)


@pytest.mark.parametrize("source,headers,expected,extra", SETS, ids=[s[0][:40] for s in SETS])
def test_header_set(source, headers, expected, extra):
    expected = dict(expected)
    sure = expected.pop("_sure", True)
    names = [h.strip() for h in headers.split("|")]
    proposal = infer(_rows(names, expected, extra), "export.csv")
    got = proposal["mapping"]["columns"]
    wrong = {h: (got.get(h), f) for h, f in expected.items() if got.get(h) != f}
    assert not wrong, f"{source}: (got, expected) {wrong}; proposal {got}"
    if not sure:
        assert not proposal["sure"] and proposal["missing"]
        return
    assert proposal["sure"], (proposal["missing"], proposal["ambiguous"])
    assert proposal["confidence"]["revenue"] >= proposal["threshold"]
