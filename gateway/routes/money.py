"""Exchange rates and money settings of the calling organisation.

GET/POST /api/exchange-rates/ — rates per month and currency pair (1 `from` = `rate` `to`);
GET/PATCH /api/organisation/settings/ — base currency, locale, date order."""
from __future__ import annotations

from aiohttp import web

from gateway.auth import organisation
from gateway.errors import ApiError, bad_request, read_body
from infra.repos import orgs
from infra.repos import rates as rate_repo
from models.org_settings import check_settings
from models.periods import parse_period_strict
from models.rates import check_rate, check_rates, currency_code


def _invalid(problems: list[dict]) -> ApiError:
    return ApiError(400, "validation_error", "some rates are malformed", problems=problems,
                    fields={p["field"]: p["problem"] for p in problems})


async def list_rates(request: web.Request) -> web.Response:
    org = await organisation(request)
    month = request.query.get("month")
    if month and parse_period_strict(month) is None:
        raise bad_request("month must be YYYY-MM")
    cur = request.query.get("currency")
    if cur and currency_code(cur) is None:
        raise bad_request("currency must be an ISO 4217 code")
    docs = await rate_repo.find(request.app["db"], org, month=month, currency=cur and currency_code(cur))
    base = (await orgs.settings(request.app["db"], org))["base_currency"]
    return web.json_response({"base_currency": base, "count": len(docs), "results": docs})


async def add_rates(request: web.Request) -> web.Response:
    """One rate `{month, from, to, rate}`, a list of them, or `{"rates": [...]}`."""
    org = await organisation(request)
    body = await _json_any(request)
    if isinstance(body, dict) and isinstance(body.get("rates"), list):
        good, problems = check_rates(body["rates"])
    elif isinstance(body, list):
        good, problems = check_rates(body, "")
    else:
        rate, problems = check_rate(body)
        good = [rate] if rate else []
    if problems or not good:
        raise _invalid(problems or [{"field": "rates", "problem": "no rate given"}])
    stored = await rate_repo.upsert(request.app["db"], org, good)
    return web.json_response({"count": len(stored), "results": stored}, status=201)


async def _json_any(request: web.Request):
    import json

    if request.content_type != "application/json":
        return await read_body(request)
    try:
        return json.loads(await request.read() or b"{}")
    except ValueError:
        raise bad_request("the body is not valid JSON") from None


async def get_settings(request: web.Request) -> web.Response:
    org = await organisation(request)
    return web.json_response({"organisation": org, **await orgs.settings(request.app["db"], org)})


async def set_settings(request: web.Request) -> web.Response:
    org = await organisation(request)
    values, problems = check_settings(await read_body(request))
    if problems:
        raise _invalid(problems)
    return web.json_response({"organisation": org,
                              **await orgs.update_settings(request.app["db"], org, values)})


def setup(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/exchange-rates/", list_rates)
    r.add_post("/api/exchange-rates/", add_rates)
    r.add_get("/api/organisation/settings/", get_settings)
    r.add_patch("/api/organisation/settings/", set_settings)
