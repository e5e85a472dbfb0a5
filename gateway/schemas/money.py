"""Exchange rates and the organisation's money settings (base currency, locale, date order)."""
from __future__ import annotations

from pydantic import ConfigDict, Field

from gateway.schemas.common import QueryModel, RequestModel, ResponseModel


class ExchangeRateIn(RequestModel):
    """1 `from` = `rate` `to`, for one month."""
    model_config = ConfigDict(extra="forbid", populate_by_name=True, json_schema_extra={
        "examples": [{"month": "2025-06", "from": "GBP", "to": "USD", "rate": "1.27"}]})
    month: str = Field(description="YYYY-MM", examples=["2025-06"])
    from_: str = Field(alias="from", description="ISO 4217 code", examples=["GBP"])
    to: str = Field(description="ISO 4217 code", examples=["USD"])
    rate: str | float = Field(description="positive decimal: 1 `from` = rate `to`", examples=["1.27"])


class ExchangeRatesIn(RequestModel):
    """One rate (`month`, `from`, `to`, `rate`) or several in `rates`; a later rate for a month
    and pair replaces the earlier one."""
    model_config = ConfigDict(extra="forbid", populate_by_name=True, json_schema_extra={"examples": [
        {"month": "2025-06", "from": "GBP", "to": "USD", "rate": "1.27"},
        {"rates": [{"month": "2025-06", "from": "EUR", "to": "USD", "rate": "1.08"}]}]})
    month: str | None = Field(None, description="YYYY-MM")
    from_: str | None = Field(None, alias="from", description="ISO 4217 code")
    to: str | None = Field(None, description="ISO 4217 code")
    rate: str | float | None = Field(None, description="positive decimal: 1 `from` = rate `to`")
    rates: list[ExchangeRateIn] | None = Field(None, min_length=1)


class ExchangeRate(ResponseModel):
    month: str
    from_: str = Field(alias="from")
    to: str
    rate: str
    organisation: int | str | None = None
    updated_at: str | None = None


class ExchangeRatePage(ResponseModel):
    base_currency: str | None = None
    count: int
    results: list[ExchangeRate]


class RateQuery(QueryModel):
    month: str | None = Field(None, description="YYYY-MM")
    currency: str | None = Field(None, description="rates from or to this ISO 4217 code")


class OrgSettingsIn(RequestModel):
    base_currency: str | None = Field(None, description="ISO 4217 code amounts are converted to")
    locale: str | None = Field(None, description="CLDR locale (de_DE, en_US): date order by default")
    date_order: str | None = Field(None, description="DMY or MDY: reading of 01/06/2025 when a file "
                                   "does not settle it")
    strict_totals: bool | None = Field(None, description="true: a file whose declared totals miss the "
                                       "imported revenue by more than TRIBUTARY_MAX_TOTAL_GAP (default "
                                       "0.5 % of the declared revenue) fails with cause TOTALS_MISMATCH; "
                                       "false: it imports with totals_check MISMATCH and a warning")


class OrgSettings(ResponseModel):
    organisation: int | str
    base_currency: str
    locale: str | None = None
    date_order: str | None = None
    strict_totals: bool = Field(False, description="declared-totals mismatches fail the file "
                                "(TOTALS_MISMATCH) instead of only warning")
