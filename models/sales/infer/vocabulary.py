"""Header vocabulary for layout inference: the names each canonical field goes by in exports in
English, German, French, Spanish, Portuguese, Italian and Dutch, and how a header is normalised
before it is looked up (case, accents, punctuation, camelCase, currency codes and units in
brackets). Collected from public distributor/DSP documentation (docs/formats.md, "Inference")."""
from __future__ import annotations

import re
import unicodedata

import pycountry

# Pseudo-fields: `title` (a bare "Title": track or release, decided by the other columns) and
# `catalog` (a catalogue number, used as the release's name where the title is blank).
PSEUDO = ("title", "catalog")

_RAW: dict[str, str] = {
    "statement_period": """statement period; reporting period; reporting month; report month; report date;
        reporting date; statement month; statement date; accounting period; accounting date; accounted date;
        posted date; payment date; date processed; processed date; statement run; invoice date; date paid;
        paid date; abrechnungszeitraum; abrechnungsmonat; abrechnungsperiode; berichtszeitraum; berichtsmonat;
        abrechnungsdatum; buchungsdatum; periode releve; mois releve; date releve; periode reporting;
        mois reporting; periode comptable; date paiement; periodo liquidacion; mes liquidacion; periodo informe;
        mes informe; fecha informe; periodo reporte; fecha pago; periodo relatorio; mes relatorio;
        periodo apuracao; mes apuracao; data relatorio; data pagamento; periodo rendiconto; mese rendiconto;
        periodo rendicontazione; data rendiconto; data pagamento; afrekenperiode; rapportageperiode;
        afrekenmaand; rapportagemaand; afrekendatum""",
    "sale_period": """sale period; sales period; sale month; sales month; sales date; sale date; transaction month;
        transaction date; activity period; usage period; consumption period; period; month; date; start date;
        sale start date; usage month; stream month; earnings month; usage date; sales start date;
        verkaufsmonat; verkaufszeitraum; verkaufsdatum; monat; zeitraum; datum; periode; nutzungszeitraum;
        absatzmonat; nutzungsmonat; mois; mois vente; periode vente; date vente; periode ventes;
        mois utilisation; periodo; mes; fecha; mes venta; periodo venta; fecha venta; periodo ventas;
        mes ventas; mes uso; mes; data; mes venda; periodo vendas; data venda; mes vendas; mese; mese vendita;
        periodo vendita; data vendita; mese vendite; maand; verkoopmaand; verkoopperiode; verkoopdatum""",
    "dsp": """dsp; store; store name; shop; retailer; platform; service; digital service provider; partner;
        partner name; channel; outlet; provider; customer; sold to; music service; streaming service;
        sale store name; service name; platform name; retailer name; plattform; anbieter; handler; dienst;
        portal; vertriebskanal; kunde; kanal; plateforme; magasin; boutique; canal; revendeur; client;
        tienda; plataforma; servicio; cliente; proveedor; loja; servico; negozio; piattaforma; servizio;
        canale; rivenditore; winkel; kanaal; klant; webshop; source; vendor; vendor key name; vendor name""",
    "territory": """territory; country; country code; country of sale; sales country; country region; region;
        market; territory code; iso country; delivery country; sale country; store country; sales region;
        country name; land; landercode; gebiet; territorium; verkaufsland; markt; pays; territoire; code pays;
        pays vente; marche; pais; territorio; codigo pais; pais venta; mercado; regiao; paese; nazione;
        codice paese; paese vendita; regione; gebied; landcode; regio""",
    "isrc": """isrc; isrc code; asset isrc; track isrc; resource isrc; optional isrc; isrc isbn; code isrc;
        codigo isrc; codice isrc; isrc nummer""",
    "upc": """upc; ean; gtin; barcode; upc code; ean code; icpn; product upc; display upc; release upc; album upc;
        upc ean; ean upc; upc on report; release ean; strichcode; code barre; code barres; code ean; code upc;
        codigo barras; codigo upc; codigo ean; codice barre; codice ean; streepjescode""",
    "artist": """artist; artists; artist name; track artist; track artists; release artist; release artists;
        product artist; album artist; performer; display artist; main artist; primary artist; asset artist;
        kunstler; interpret; kunstlername; interpreten; artiste; artistes; interprete; artista; artistas;
        artisti; artiest; artiesten; uitvoerende; artiestnaam""",
    "track_title": """track; track title; track name; song; song title; song name; asset title; recording title;
        recording; resource title; tracktitel; songtitel; titel track; titre morceau; titre piste; morceau;
        piste; chanson; cancion; titulo cancion; pista; titulo pista; faixa; musica; titulo faixa; nome faixa;
        brano; titolo brano; canzone; nummer; titel nummer; track titel""",
    "release_title": """release; release title; release name; album; album title; album name; product title;
        product; product name; albumtitel; veroffentlichung; produkt; produkttitel; releasetitel;
        titre album; produit; sortie; titulo album; lanzamiento; producto; titulo album; lancamento; produto;
        titolo album; prodotto; uscita; uitgave""",
    "title": """title; titel; titre; titulo; titolo; item name; item title; title description; description""",
    "catalog": """catalog number; catalogue number; catalogue no; catalog no; cat no; cat nr; catalog;
        catalogue; catalog nb; release catalog nb; product catalog number; catalogue reference; katalognummer;
        katalog nr; bestellnummer; numero catalogue; reference catalogue; numero catalogo; catalogusnummer""",
    "usage_type": """sales type; sale type; transaction type; type; usage type; use type; delivery; content type;
        format; product type; distribution type; offer type; service type; sale or void; configuration;
        verkaufsart; art; nutzungsart; typ; umsatzart; type vente; type utilisation; tipo venta; tipo;
        tipo uso; formato; tipo venda; tipo vendita; tipo utilizzo; verkooptype; soort; gebruikstype; formaat""",
    "quantity": """quantity; qty; units; unit; units sold; count; streams; plays; downloads; number streams;
        number units; net qty; net quantity; usage count; total plays; quantity sold; signed quantity;
        asset quantity; product quantity; total units; usages; menge; anzahl; stuck; stuckzahl; einheiten;
        abrufe; verkaufe; quantite; nombre; unites; ecoutes; cantidad; unidades; reproducciones; numero;
        quantidade; reproducoes; quantita; unita; ascolti; riproduzioni; aantal; hoeveelheid; eenheden""",
    "currency": """currency; currency code; curr; ccy; reporting currency; payment currency; client payment currency;
        account currency; net sales currency; partner share currency; royalty currency; wahrung; wahrungscode;
        devise; monnaie; moneda; divisa; moeda; valuta; munteenheid""",
    # money in tiers, best first (net/payable, then earnings/shares, then bare amounts): an exact
    # name one tier better wins; two of one tier are ambiguous unless the values decide
    "revenue": """net revenue; net; net amount; net share; net payable; payable; royalty payable; label net total;
        net after fee; net after fees; net income; net sales; net royalty; reported royalty; final royalty;
        total royalty; royalty; royalties; royalty amount; amount due; amount due to rightsholder; net total;
        nettoerlos; netto; nettobetrag; tantiemen; montant net; redevances; ingreso neto; importe neto; neto;
        regalias; receita liquida; valor liquido; liquido; importo netto; compensi; netto bedrag""",
    "revenue:2": """earnings; total earned; partner share; extended partner share; label share; payout; proceeds;
        amount received; auszahlung; lizenzeinnahmen; verdienst; gains; ganancias; ganhos; guadagni; vergoeding""",
    "revenue:3": """revenue; income; amount; total; value; subtotal; sub total; line total; umsatz; betrag; erlos;
        einnahmen; summe; montant; revenu; revenus; droits; recettes; chiffre affaires; ingresos; importe; monto;
        receita; valor; montante; rendimento; importo; ricavi; ricavo; incasso; bedrag; omzet; opbrengst; inkomsten""",
}

# words that make a money column something other than the revenue line (prices, fees, rates…)
NOT_REVENUE = set("""price preis prix precio preco prezzo prijs unit fee fees gebuhr gebuhren frais comision
    commission commissione cost costs kosten cout couts costo custo tax vat mwst steuer tva iva btw rate kurs
    taux tasa taxa tasso koers percent percentage pct exchange wechselkurs deduction deductions withheld
    storage cinram type id identifier date status description""".split())
GROSS = set("gross brutto brut bruto lordo bruta gross_value".split())
NET = set("net netto neto liquido liquida payable".split())
# filler words dropped from headers ("Nom de l'artiste" → artiste, "Artist Name" → artist)
_FILLER = set("""the of de la le les l d du des del el da do dos das di della dell van het een der den die das
    name nom nombre nome naam in en em a""".split())
_COMMON_CCY = set("""USD EUR GBP JPY CHF CAD AUD NZD SEK NOK DKK PLN CZK HUF BRL MXN ARS CLP COP INR CNY KRW
    ZAR RUB RUR HKD SGD IDR THB""".split())
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "us$": "USD", "$us": "USD"}


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def split_label(header: str) -> tuple[list[str], str | None, list[str]]:
    """(words, currency named in the header, words of each `/`-separated part). Brackets holding a
    currency code or symbol give the currency (`Revenue (EUR)`, `Royalty ($US)`, `Betrag in EUR`);
    camelCase is split (`signedQuantity`); filler words are dropped."""
    currency = None
    for inner in re.findall(r"[(\[{]([^)\]}]*)[)\]}]", header):
        code = _currency_of(inner)
        if code:
            currency = currency or code
    lowered = header
    for sym, code in _SYMBOLS.items():
        if sym in header.lower():
            currency = currency or code
            lowered = lowered.replace(sym, " ").replace(sym.upper(), " ")
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", lowered)
    words = [w for w in re.split(r"[^0-9a-z]+", _ascii(spaced).lower()) if w]
    kept = []
    for w in words:
        if w.upper() in _COMMON_CCY or (len(w) == 3 and w.upper() != "NET" and _is_ccy_in_brackets(w, header)):
            currency = currency or ("RUB" if w.upper() == "RUR" else w.upper())
            continue
        kept.append(w)
    content = [w for w in kept if w not in _FILLER] or kept
    parts = [[w for w in re.split(r"[^0-9a-z]+", _ascii(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", p)).lower())
              if w and w not in _FILLER and w.upper() not in _COMMON_CCY] for p in header.split("/")]
    return content, currency, [p for p in parts if p] if len(parts) > 1 else []


def _currency_of(text: str) -> str | None:
    t = text.strip()
    if t.lower() in _SYMBOLS:
        return _SYMBOLS[t.lower()]
    for tok in re.split(r"[^A-Za-z$€£¥]+", t):
        if tok.lower() in _SYMBOLS:
            return _SYMBOLS[tok.lower()]
        if len(tok) == 3 and tok.isalpha() and pycountry.currencies.get(alpha_3=tok.upper()):
            return "RUB" if tok.upper() == "RUR" else tok.upper()
        if tok.upper() == "RUR":
            return "RUB"
    return None


def _is_ccy_in_brackets(word: str, header: str) -> bool:
    return bool(re.search(r"[(\[{][^)\]}]*\b" + re.escape(word) + r"\b[^)\]}]*[)\]}]", header, re.I)) and \
        pycountry.currencies.get(alpha_3=word.upper()) is not None


def _synonyms() -> dict[str, list[tuple[tuple[str, ...], int]]]:
    """{field: [(words, tier)]}; tier 1 unless the key says `field:tier`."""
    out: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for key, raw in _RAW.items():
        fld, _, tier = key.partition(":")
        seen = out.setdefault(fld, [])
        for entry in raw.split(";"):
            words = tuple(w for w in re.split(r"[^0-9a-z]+", _ascii(entry).lower()) if w and w not in _FILLER)
            if words and words not in [w for w, _ in seen]:
                seen.append((words, int(tier or 1)))
    return out


SYNONYMS = _synonyms()


def name_scores(header: str) -> tuple[dict[str, float], str | None]:
    """({field: how well the header's name says it, 0..1}, currency named in the header).
    Exact synonym 1.0 (revenue: 1.0 / 0.92 / 0.84 by tier); a synonym whose words are all in the
    header 0.5 + 0.4 × the share of the header it covers; a `/`-part of a composite header
    (`Artist / Invoice Ref`) at 0.9 of its score when only one field is named by the parts."""
    words, currency, parts = split_label(header)
    scores = _score_words(words)
    by_part = [_score_words(part) for part in parts]
    named = {max(p, key=p.get) for p in by_part if p}
    if len(named) == 1:
        for part in by_part:
            for fld, s in part.items():
                scores[fld] = max(scores.get(fld, 0.0), round(0.9 * s, 3))
    if "revenue" in scores and set(words) & NOT_REVENUE and scores["revenue"] < 0.84:
        scores["revenue"] = round(scores["revenue"] * 0.3, 3)
    return scores, currency


def blocks_revenue(header: str) -> bool:
    """The header names a price, fee, rate, type, id… — never the revenue line, whatever its values."""
    return bool(set(split_label(header)[0]) & NOT_REVENUE) and name_scores(header)[0].get("revenue", 0) < 0.84


def _score_words(words: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    if not words:
        return out
    joined, wordset = tuple(words), set(words)
    exact = False
    for fld, syns in SYNONYMS.items():
        best = 0.0
        for syn, tier in syns:
            if syn == joined or "".join(syn) == "".join(joined):
                s = 1.0 - 0.08 * (tier - 1)
                exact = exact or fld == "revenue"
            elif set(syn) <= wordset:
                s = 0.5 + 0.4 * len(syn) / len(words) - 0.04 * (tier - 1)
            else:
                continue
            best = max(best, s)
        if best:
            out[fld] = round(best, 3)
    if "revenue" in out and not exact:
        if wordset & GROSS:
            out["revenue"] = round(out["revenue"] * 0.6, 3)
        elif wordset & NET:
            out["revenue"] = round(min(0.9, out["revenue"] + 0.1), 3)
    top = max(out.values(), default=0.0)
    tied = [f for f, v in out.items() if v == top]
    if top < 1.0 and len(tied) > 1 and not {"title", "catalog"} & set(tied):  # `Song/Album`: says neither
        for f in tied:
            del out[f]
    return out
