"""The partner-country map: its zones, its partner collectivités, and the French partners per zone."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from atlasmaps.content import common as K
from atlasmaps.content.bilateral import bilateral_content, colour_points, partner_layer, rank_partners, show_years
from atlasmaps.content.types import FullList, ListEntry, MapContent
from atlasmaps.model import CollectiviteType, JoinResult, MapKind, RenderOptions
from atlasmaps.textnorm import collation_key

if TYPE_CHECKING:
    import geopandas as gpd

    from atlasmaps.style import Style


@dataclass
class ZonePartners:
    """One zone d'intervention and the French collectivités working there (country map side list)."""

    admin1_id: str | None
    name: str
    n: int
    french: list[tuple[str, CollectiviteType, int, str]]  # (name, kind, partnerships in the zone, code)
    places: dict[str, tuple[str, ...]] = field(default_factory=dict)  # French name -> its partners in the zone


@dataclass(frozen=True)
class ZoneListing:
    """One zone of the partners list beside the map, as written: "1. Zou (3)" and its French partners."""

    gid: str  # SVG id of the entry
    heading: str
    partners: str  # "CA Seine-Eure, Aiglemont, Yvelines (conseil départemental)"
    pairs: str = ""  # the same with their partners, for the annex and the web table: "Albi : Abomey ; …"


@dataclass
class CountryContent:
    """The partner country alone: zones, partner points, and French partners listed per zone."""

    partner: str
    zones: gpd.GeoDataFrame
    partner_points: gpd.GeoDataFrame
    partner_admin1: gpd.GeoDataFrame
    partner_outline: gpd.GeoDataFrame
    context_countries: gpd.GeoDataFrame
    partners_by_zone: list[ZonePartners]  # biggest zones first; zone None last ("non localisé")
    kinds: tuple[CollectiviteType, ...]
    themes: tuple[str, ...]
    n_partnerships: int
    warnings: list[str] = field(default_factory=list)
    country_name: str = ""  # the partner's name in the map's language
    list_title: str = ""  # the partners list's heading
    listing: list[ZoneListing] = field(default_factory=list)  # one per `partners_by_zone`, same order

    @property
    def zone_keys(self) -> dict[str | None, int]:
        """The number of each zone, shared by its label on the map and its entry in the list."""
        return {zp.admin1_id: i + 1 for i, zp in enumerate(z for z in self.partners_by_zone if z.admin1_id)}


def country_content(joined: JoinResult, partner: str) -> CountryContent:
    """The partner country alone, with the French partners of each zone listed beside the map."""
    b = bilateral_content(joined, partner)
    rows = [r for r in joined.mapped if r.partnership.pays == b.partner]
    per_zone: dict[str | None, Counter] = defaultdict(Counter)
    places: dict[str | None, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    kinds: dict[str, CollectiviteType] = {}
    codes: dict[str, str] = {}
    zone_names: dict[str | None, str] = {}
    for r in rows:
        if r.french is None:
            continue
        zid = r.partner.admin1_id if r.partner else None
        if zid is not None and zid not in set(b.zones["admin1_id"]):
            zid = None
        zone_names.setdefault(zid, (r.partner.admin1_name if r.partner else None) or "")
        per_zone[zid][r.french.name] += 1
        if r.partner is not None:
            places[zid][r.french.name].add(r.partner.name)
        kinds[r.french.name] = r.french.kind
        codes[r.french.name] = r.french.code
    names = dict(zip(b.zones["admin1_id"], b.zones["name"]))
    listing = []
    for zid, counter in per_zone.items():
        french = sorted(((n, kinds[n], c, codes[n]) for n, c in counter.items()),
                        key=lambda t: (K.KIND_ORDER.index(t[1]), collation_key(t[0])))
        listing.append(ZonePartners(zid, names.get(zid, zone_names.get(zid, "")), sum(counter.values()), french,
                                    {n: tuple(sorted(ps, key=collation_key)) for n, ps in places[zid].items()}))
    listing.sort(key=lambda z: (z.admin1_id is None, -z.n, collation_key(z.name)))
    return CountryContent(
        partner=b.partner,
        zones=b.zones,
        partner_points=b.partner_points,
        partner_admin1=b.partner_admin1,
        partner_outline=b.partner_outline,
        context_countries=(K.context([K.lon_bounds(b.partner_outline)]) if not b.partner_outline.empty
                           else b.context_countries),
        partners_by_zone=listing,
        kinds=b.kinds,
        themes=b.themes,
        n_partnerships=b.n_partnerships,
        warnings=b.warnings,
    )


def build(joined: JoinResult, style: Style, options: RenderOptions) -> MapContent:
    """The country map's content: zones, partners (coloured), the list per zone, legend and texts."""
    from atlasmaps.content.legend import point_legend
    from atlasmaps.content.text import counted

    lang = K.map_lang(style, options)
    partner = (options.partner or "").upper()
    cc = country_content(joined, partner)
    colour_points(cc.partner_points, style)
    rank_partners(cc.partner_points, partner, style)
    cc.country_name = K.country_name(partner, lang)
    cc.list_title = style.text("partners_by_zone", lang)
    cc.listing = zone_listing(cc, style, lang)
    title = style.text("title.country", lang,
                       partner_in=style.country_phrase(cc.country_name, partner, lang, form="in"))
    subtitle = counted(style, "subtitle.country", cc.n_partnerships, lang, count=cc.n_partnerships)
    layers = K.standard_layers()
    layers["admin1"] = partner_layer(partner, cc.partner_admin1)
    # The country map shows no French symbols: its legend explains zones, partners, years, themes.
    years = show_years(style, options) and any(len(y) for y in cc.partner_points["years"])
    legend = point_legend(style, lang, [], zone=len(cc.zones) > 0, partner=len(cc.partner_points) > 0,
                          years=years, themes=cc.themes)
    full = FullList(cc.list_title, (style.text("web.table.zone", lang), style.text("legend.french_title", lang)),
                    tuple(ListEntry(z.gid, z.heading, (z.pairs,)) for z in cc.listing))
    return MapContent(MapKind.COUNTRY, lang, K.page_texts(style, joined, lang, title, subtitle), layers, legend, cc,
                      list(cc.warnings), full_list=full)


def zone_listing(cc: CountryContent, style: Style, lang: str) -> list[ZoneListing]:
    """The texts of the partners list: each zone with its key number (shared with its label on the
    map) and partner count, then its French partners (units named with their type)."""
    keys = cc.zone_keys
    out = []
    for zp in cc.partners_by_zone:
        zname = zp.name or "—"
        heading = (style.text("partners_zone", lang, n=keys[zp.admin1_id], zone=zname, count=zp.n)
                   if zp.admin1_id in keys else f"{zname} ({zp.n})")
        names = [f"{n} ({_lower_first(K.unit_type(style, k.value, code, lang))})" if k in K.UNIT_KINDS else n
                 for n, k, _, code in zp.french]
        # in the annex and the web table, each with its partners: every pairing is written somewhere
        pairs = [style.text("partners_pair", lang, french=shown, places=", ".join(zp.places.get(n, ())))
                 for shown, (n, _, _, _) in zip(names, zp.french, strict=True)]
        out.append(ZoneListing(f"zone-list-{zp.admin1_id or 'none'}", heading, ", ".join(names),
                               style.text("partners_pair_sep", lang).join(pairs)))
    return out


def _lower_first(text: str) -> str:
    """A type set inside parentheses: "Conseil de Paris" -> "conseil de Paris" (proper nouns kept)."""
    return text[:1].lower() + text[1:]
