"""Exchange rates and money settings of the calling organisation.

GET/POST /api/exchange-rates/ — rates per month and currency pair (1 `from` = `rate` `to`);
GET/PATCH /api/organisation/settings/ — base currency, locale, date order, strict_totals."""
from __future__ import annotations

from aiohttp import web

from gateway.auth import organisation
from gateway.contract import endpoint
from gateway.errors import invalid
from gateway.keys import DB
from gateway.schemas.money import ExchangeRatePage, ExchangeRatesIn, OrgSettings, OrgSettingsIn, RateQuery
from infra.repos import orgs
from infra.repos import rates as rate_repo
from models.org_settings import check_settings
from models.periods import parse_period_strict
from models.rates import check_rate, check_rates, currency_code

routes = web.RouteTableDef()


@routes.get("/api/exchange-rates/")
@endpoint(auth=organisation, query=RateQuery, responses={200: ExchangeRatePage}, errors=(400, 401))
async def list_rates(request: web.Request, query: RateQuery):
    """The organisation's rates (optionally of one month or one currency) and its base currency."""
    org = await organisation(request)
    if query.month and parse_period_strict(query.month) is None:
        raise invalid("month must be YYYY-MM", [{"field": "month", "problem": "YYYY-MM"}])
    if query.currency and currency_code(query.currency) is None:
        raise invalid("currency must be an ISO 4217 code", [{"field": "currency", "problem": "ISO 4217"}])
    docs = await rate_repo.find(request.app[DB], org, month=query.month,
                                currency=query.currency and currency_code(query.currency))
    base = (await orgs.settings(request.app[DB], org))["base_currency"]
    return {"base_currency": base, "count": len(docs), "results": docs}


@routes.post("/api/exchange-rates/")
@endpoint(auth=organisation, body=ExchangeRatesIn, responses={201: ExchangeRatePage}, errors=(400, 401))
async def add_rates(request: web.Request, body: ExchangeRatesIn):
    """One rate `{month, from, to, rate}` or `{"rates": [...]}`; stored per month and pair."""
    org = await organisation(request)
    if body.rates is not None:
        good, problems = check_rates([r.model_dump(by_alias=True) for r in body.rates])
    else:
        rate, problems = check_rate(body.model_dump(by_alias=True, exclude={"rates"}))
        good = [rate] if rate else []
    if problems:
        raise invalid("some rates are malformed", problems)
    stored = await rate_repo.upsert(request.app[DB], org, good)
    return 201, {"count": len(stored), "results": stored}


@routes.get("/api/organisation/settings/")
@endpoint(auth=organisation, responses={200: OrgSettings}, errors=(401,))
async def get_settings(request: web.Request):
    """Base currency, locale and date order of the organisation."""
    org = await organisation(request)
    return {"organisation": org, **await orgs.settings(request.app[DB], org)}


@routes.patch("/api/organisation/settings/")
@endpoint(auth=organisation, body=OrgSettingsIn, responses={200: OrgSettings}, errors=(400, 401))
async def set_settings(request: web.Request, body: OrgSettingsIn):
    """Change any of base currency, locale, date order and strict_totals."""
    org = await organisation(request)
    values, problems = check_settings(body.model_dump(exclude_none=True))
    if problems:
        raise invalid("some settings are malformed", problems)
    return {"organisation": org, **await orgs.update_settings(request.app[DB], org, values)}


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
