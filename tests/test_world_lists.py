"""Issue 13: the world map's Europe inset (Belgium readable on A4), and long lists that flow to the
PDF's annex and to a table beside the web map instead of being cut ("… et N autres")."""

from __future__ import annotations

import html
import re

import pytest

from atlasmaps.model import MapKind, RenderOptions
from atlasmaps.render import static
from atlasmaps.style import load_style

MM_PER_PT = 25.4 / 72


@pytest.fixture(scope="module")
def style():
    return load_style()


def _ids(svg: bytes, prefix: str) -> list[str]:
    return re.findall(rf'<g id="({prefix}[^"]*)"', svg.decode("utf-8"))


def _extent_mm(svg: bytes, gid: str) -> tuple[float, float]:
    """Width and height (mm on the page) of the drawn group `gid`, from its path's points."""
    m = re.search(rf'<g id="{gid}"[^>]*>(.*?)</g>', svg.decode("utf-8"), re.S)
    assert m, f"{gid} not drawn"
    pts = [(float(x), float(y)) for x, y in re.findall(r"[ML]\s*(-?[\d.]+)\s+(-?[\d.]+)", m.group(1))]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return (max(xs) - min(xs)) * MM_PER_PT, (max(ys) - min(ys)) * MM_PER_PT


# ------------------------------------------------------------------ the world map's Europe inset


@pytest.mark.parametrize("page", ["A4-landscape", "A4-portrait"])
def test_world_map_has_one_europe_inset_where_belgium_is_readable(world_result, style, page):
    out = static.render(world_result, style, RenderOptions(MapKind.WORLD, formats=("svg",), page=page))
    svg = out.files["svg"]
    assert _ids(svg, "inset-") == ["inset-europe", "inset-europe-caption"]
    assert _ids(svg, "locator-") == ["locator-europe"]
    assert "Europe" in svg.decode()
    inset_w, _ = _extent_mm(svg, "europe-country-BE")
    world_w, _ = _extent_mm(svg, "country-BE")
    assert inset_w >= 5.0, f"Belgium is {inset_w:.2f} mm across in the inset"
    assert world_w < 5.0 <= inset_w  # the inset is what makes it readable
    # Luxembourg, Switzerland and the Netherlands are drawn in the inset too; the inset hides no partner.
    assert {"europe-country-LU", "europe-country-CH", "europe-country-NL"} <= set(_ids(svg, "europe-country-"))
    assert not any("inset hides" in w for w in out.warnings)


def test_europe_inset_in_proportional_circles_mode(world_result, style):
    svg = static.render(world_result, style, RenderOptions(MapKind.WORLD, formats=("svg",), symbols=True)).files["svg"]
    assert _ids(svg, "inset-europe") == ["inset-europe", "inset-europe-caption"]
    # the world's circles are all drawn; those in Europe's frame again in the inset (none here: no European partner)
    assert len(_ids(svg, "circle-")) == len({r.partnership.pays for r in world_result.mapped})


def test_europe_inset_shows_european_partners_in_their_class_colour(style):
    from tests.conftest import LYON, PARIS, make_result, make_row

    rows = [make_row(2, PARIS, ("Bruxelles", 4.35, 50.85, None, None), "BE", 2001),
            make_row(3, LYON, ("Luxembourg", 6.13, 49.61, None, None), "LU", 2002),
            make_row(4, LYON, ("Anvers", 4.40, 51.22, None, None), "BE", 2003)]
    out = static.render(make_result(rows), style, RenderOptions(MapKind.WORLD, formats=("svg",)))
    svg = out.files["svg"].decode()
    no_data = style.choropleth.no_data.lower()

    def fill(gid: str) -> str:
        m = re.search(rf'<g id="{gid}"[^>]*>\s*<path[^>]*style="fill: (#[0-9a-f]+)', svg, re.S)
        assert m, gid
        return m.group(1)

    assert fill("europe-country-BE") == fill("country-BE") != no_data
    assert fill("europe-country-LU") == fill("country-LU") != no_data
    assert fill("europe-country-DE") == no_data


def test_a_partner_under_the_inset_is_reported(tmp_path, style):
    """The inset sits over the empty South Pacific; one made too high by a user style would hide Tonga."""
    from tests.conftest import LYON, make_result, make_row

    joined = make_result([make_row(2, LYON, ("Nuku'alofa", -175.2, -21.14, None, None), "TO", 2001)])
    out = static.render(joined, style, RenderOptions(MapKind.WORLD, formats=("svg",)))
    assert not any("inset hides" in w for w in out.warnings)
    user = tmp_path / "grand-encart.yaml"
    user.write_text("extends: quai-dorsay\nlayout:\n  world:\n    europe: {height_mm: 100}\n", encoding="utf-8")
    out = static.render(joined, load_style(user), RenderOptions(MapKind.WORLD, formats=("svg",)))
    assert [w for w in out.warnings if "inset hides" in w] == ["world map: the Europe inset hides Tonga"]


# ------------------------------------------------------------------ long lists: the PDF's annex


def many_zones_result(country: str, per_zone: int, long_names: bool = True):
    """Every admin-1 unit of `country` a zone d'intervention, each with `per_zone` French partners,
    with long names (a list that cannot fit beside the map) or short ones."""
    from atlasmaps import boundaries
    from tests.conftest import make_result, make_row

    a1 = boundaries.load("admin1", country=country).sort_values("admin1_id")
    rows, i = [], 2
    for zid, name, geom in zip(a1["admin1_id"], a1["name"], a1.geometry):
        p = geom.representative_point()
        for k in range(per_zone):
            name_fr = f"Communauté d'agglomération du Grand Exemple numéro {i}" if long_names else f"Ville {i}"
            french = ("G", f"2{i:08d}", name_fr, "69", "84", 4.8 + k * 0.01, 45.7)
            # one partner place per zone (its French partners many): the list is long, the map quick to label
            rows.append(make_row(i, french, (f"Ville {name}", p.x, p.y, zid, name), country, 2000 + k))
            i += 1
    return make_result(rows, f"zones-{country}.csv")


def one_city_many_partners(n: int):
    """Lyon with `n` partners, one in each Japanese prefecture (a list too long for the side column)."""
    from atlasmaps import boundaries
    from tests.conftest import LYON, make_result, make_row

    a1 = boundaries.load("admin1", country="JP").sort_values("admin1_id").head(n)
    rows = [make_row(i + 2, LYON, (f"Ville partenaire {name}", g.representative_point().x, g.representative_point().y,
                                   zid, name), "JP", 1960 + i, ("Culture, patrimoine",))
            for i, (zid, name, g) in enumerate(zip(a1["admin1_id"], a1["name"], a1.geometry))]
    return make_result(rows, "lyon.csv")


def _pdf_pages(pdf: bytes, tmp_path) -> list[str]:
    """The text of each page of `pdf`, in the order it is set (pdftotext -raw: column after column)."""
    import subprocess

    path = tmp_path / "map.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True).stdout
    return text.decode("utf-8").split("\f")[:-1]


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def crowded_country():
    """The 47 Japanese prefectures, 4 long-named French partners each: a list too long to fit."""
    return many_zones_result("JP", 4)


@pytest.fixture(scope="module")
def crowded_benin():
    """Bénin's 12 départements, 6 long-named French partners each: a list too long for the side
    column of the print map (as Japan's, at a third of the label layout time)."""
    return many_zones_result("BJ", 6)


@pytest.mark.parametrize("lang, annex_title", [("fr", "ANNEXE – PARTENAIRES FRANÇAIS PAR ZONE"),
                                               ("en", "ANNEX – FRENCH PARTNERS PER AREA")])
def test_country_map_pdf_gets_an_annex_listing_every_partner(crowded_benin, style, tmp_path, lang, annex_title):
    out = static.render(crowded_benin, style, RenderOptions(MapKind.COUNTRY, partner="BJ", formats=("pdf", "svg"),
                                                              lang=lang))
    pages = _pdf_pages(out.files["pdf"], tmp_path)
    assert len(pages) >= 2
    n = len(pages)
    # The map page sends the reader to the annex; the annex lists every zone and every French partner.
    assert _words(style.text("partners_in_annex", lang, page=2)) in _words(pages[0])
    # (a zone's heading set again where a column cuts it, "… (suite)", may fall inside a name)
    continued = style.text("annex.continued", lang, list="").strip()
    annex = _words(re.sub(rf"^.*{re.escape(continued)}$", " ", "\n".join(pages[1:]), flags=re.M))
    assert annex_title in _words(pages[1])
    assert style.text("annex.page", lang, page=2, pages=n) in pages[1]
    assert style.text("title.country", lang, partner_in=style.country_phrase(
        "Bénin" if lang == "fr" else "Benin", "BJ", lang, form="in")) in annex
    for r in crowded_benin.mapped:
        assert r.french.name in annex, r.french.name
    zones = {r.partner.admin1_name for r in crowded_benin.mapped}
    for z in zones:
        assert z in annex
    # The map page itself does not list the partners (they did not fit): only the annex does.
    assert crowded_benin.mapped[0].french.name not in _words(pages[0])
    # SVG and PNG are one page: the annex is not in them, the line sending to it is.
    svg = _words(html.unescape(re.sub(r"<[^>]+>", " ", out.files["svg"].decode())))
    assert annex_title not in svg and crowded_benin.mapped[0].french.name not in svg
    assert _words(style.text("partners_in_annex", lang, page=2)) in svg
    # Made without the PDF, the map still sends the reader to its annex: the user is told to write it.
    assert not [w for w in out.warnings if "not asked for" in w]
    alone = static.render(crowded_benin, style,
                          RenderOptions(MapKind.COUNTRY, partner="BJ", formats=("svg",), lang=lang))
    assert [w for w in alone.warnings if "not asked for" in w] == [
        "the list beside the map refers to the PDF's annex, which was not asked for: add pdf to --format to write it "
        "(country-BJ.pdf)"]


def test_annex_zone_headings_keep_two_lines_under_them(crowded_benin, style, tmp_path):
    """A zone's heading never ends a column with fewer than two of its lines (no orphan heading
    followed by its "(suite)" heading after one line)."""
    out = static.render(crowded_benin, style, RenderOptions(MapKind.COUNTRY, partner="BJ", formats=("pdf",)))
    lines = [ln for page in _pdf_pages(out.files["pdf"], tmp_path)[1:] for ln in page.splitlines()]
    heading = re.compile(r"\d+\. .+ \(\d+\)( \(suite\))?$")
    starts = [i for i, ln in enumerate(lines) if heading.match(ln) and "(suite)" not in ln]
    assert len(starts) == 12
    for i in starts:
        assert not any(heading.match(ln) for ln in lines[i + 1:i + 3]), lines[i:i + 3]


def test_long_annex_flows_over_several_pages(style, tmp_path):
    joined = many_zones_result("BJ", 30)
    out = static.render(joined, style, RenderOptions(MapKind.COUNTRY, partner="BJ", formats=("pdf",)))
    pages = _pdf_pages(out.files["pdf"], tmp_path)
    n = len(pages)
    assert n >= 3, "a 360-partner list takes more than one annex page"
    for i in range(1, n):
        assert f"Page {i + 1}/{n}" in pages[i]
    assert "(suite)" in _words(pages[2])  # the continued title, and a zone cut by a column's end
    annex = _words(" ".join(pages[1:]))
    # every partner once (none lost, no line set twice across columns or pages)
    numbers = [int(m) for m in re.findall(r"numéro (\d+)\b", annex)]
    assert sorted(numbers) == sorted(int(r.french.code) - 200000000 for r in joined.mapped)


def test_short_lists_stay_on_one_page(benin_result, style, tmp_path):
    for kind, kw in ((MapKind.COUNTRY, {"partner": "BJ"}), (MapKind.COLLECTIVITE, {"collectivite": "commune-69123"})):
        joined = benin_result
        if kind is MapKind.COLLECTIVITE:
            joined = one_city_many_partners(3)
        out = static.render(joined, style, RenderOptions(kind, formats=("pdf", "svg"), **kw))
        assert len(_pdf_pages(out.files["pdf"], tmp_path)) == 1
        assert "annex" not in out.files["svg"].decode().lower()
        assert not any("did not fit" in w for w in out.warnings)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_collectivite_pdf_lists_every_partner_in_the_annex(style, tmp_path, lang):
    joined = one_city_many_partners(47)
    out = static.render(joined, style, RenderOptions(MapKind.COLLECTIVITE, collectivite="commune-69123",
                                                     formats=("pdf", "svg"), lang=lang))
    svg = out.files["svg"]
    assert _ids(svg, "partners-list-more") == ["partners-list-more"]
    shown = len(_ids(svg, "list-partner-"))
    assert 0 < shown < 47
    rest = 47 - shown
    pages = _pdf_pages(out.files["pdf"], tmp_path)
    assert len(pages) == 2
    note = style.text("partners_more_places", lang, count=rest, page=2)
    assert _words(note) in _words(pages[0])
    annex = _words(pages[1])
    assert style.text("annex.title", lang, list=style.text("partners_of", lang)).upper() in annex
    for r in joined.mapped:
        assert f"{r.partner.name}, {r.partnership.annee}" in annex
    assert any(f"{rest} partner(s) did not fit" in w for w in out.warnings)
    # the two-page PDF is as deterministic as a one-page one
    again = static.render(joined, style, RenderOptions(MapKind.COLLECTIVITE, collectivite="commune-69123",
                                                       formats=("pdf",), lang=lang))
    assert again.files["pdf"] == out.files["pdf"]


# ------------------------------------------------------------------ long lists: the table beside the web map


def _web(joined, style, **kw) -> str:
    from atlasmaps.render import web

    return web.render(joined, style, RenderOptions(formats=("html",), **kw)).files["html"].decode("utf-8")


def _aside(page: str) -> str:
    m = re.search(r'<aside id="atlas-list".*?</aside>', page, re.S)
    assert m, "no list beside the map"
    return m.group(0)


def test_web_country_map_lists_every_zone_and_partner_beside_the_map(crowded_country, style):
    aside = _aside(_web(crowded_country, style, kind=MapKind.COUNTRY, partner="JP"))
    rows = re.findall(r'<tr id="atlas-zone-list-([^"]+)"><th scope="row">', aside)
    assert sorted(rows) == sorted({r.partner.admin1_id for r in crowded_country.mapped})
    # named by its heading, column and row headers, and focusable so the keyboard can scroll it (WCAG)
    assert '<th scope="col">' in aside and 'aria-labelledby="atlas-list-title"' in aside
    assert aside.startswith('<aside id="atlas-list" tabindex="0"')
    text = html.unescape(aside)
    for r in crowded_country.mapped:
        assert r.french.name in text
    assert "Partenaires français par zone" in text


def test_web_collectivite_map_lists_every_partner_by_country(style):
    joined = one_city_many_partners(47)
    for lang, head in (("fr", "Ses partenaires"), ("en", "Its partners")):
        aside = html.unescape(_aside(_web(joined, style, kind=MapKind.COLLECTIVITE, collectivite="commune-69123",
                                          lang=lang)))
        assert head in aside
        assert aside.count("<tr id=") == 1  # one country, Japan
        assert aside.count("<li>") == 47
        for r in joined.mapped:
            assert f"{r.partner.name}, {r.partnership.annee}" in aside


def test_other_web_maps_have_no_side_list(japan_result, world_result, style):
    assert 'id="atlas-list"' not in _web(japan_result, style, kind=MapKind.BILATERAL, partner="JP")
    assert 'id="atlas-list"' not in _web(world_result, style, kind=MapKind.WORLD)




@pytest.mark.browser
def test_list_beside_the_web_map_in_a_browser(browser, crowded_country, style, tmp_path):
    from tests.test_web_maps import _open, overlapping_controls

    page_html = _web(crowded_country, style, kind=MapKind.COUNTRY, partner="JP").encode("utf-8")
    o = _open(browser, page_html, tmp_path / "country-JP.html")
    page = o.page
    lst, mp = page.locator("#atlas-list"), page.locator(".folium-map")
    assert lst.is_visible()
    assert lst.locator("tbody tr").count() == 47
    lb, mb = lst.bounding_box(), mp.bounding_box()
    assert mb["x"] + mb["width"] <= lb["x"] + 1, "the list is beside the map, not over it"
    assert lb["width"] == pytest.approx(style.web.list_width_px, abs=1)
    # keyboard: Tab reaches the list; arrows and Page Down scroll it
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "atlas-list":
            break
    else:
        pytest.fail("Tab never reaches the list")
    assert page.evaluate("(() => { const e = document.getElementById('atlas-list'); "
                         "return e.scrollHeight > e.clientHeight; })()")
    page.keyboard.press("PageDown")
    page.wait_for_function("document.getElementById('atlas-list').scrollTop > 0")
    assert o.external == [] and o.errors == []
    page.close()
    # on a phone the list goes below the map
    o = _open(browser, page_html, tmp_path / "country-JP-narrow.html", width=390, height=800)
    lb, mb = o.page.locator("#atlas-list").bounding_box(), o.page.locator(".folium-map").bounding_box()
    assert mb["y"] + mb["height"] <= lb["y"] + 1 and lb["width"] >= 380
    assert overlapping_controls(o.page) == []  # title, layers, year slider, buttons, source: each its own room
    o.page.close()
    # without JavaScript the list is there too
    nojs = browser.new_page(java_script_enabled=False)
    nojs.goto((tmp_path / "country-JP.html").as_uri())
    assert nojs.locator("#atlas-list tbody tr").count() == 47 and nojs.locator("#atlas-list").is_visible()
    nojs.close()


# ------------------------------------------------------------------ the collectivité map's Europe inset

LYON_PARTNERS = [("Kyoto", 135.77, 35.01, "JP"), ("Yokohama", 139.64, 35.44, "JP"),
                 ("Francfort-sur-le-Main", 8.68, 50.11, "DE"), ("Turin", 7.69, 45.07, "IT"),
                 ("Cracovie", 19.94, 50.06, "PL"), ("Barcelone", 2.17, 41.39, "ES"), ("Leipzig", 12.37, 51.34, "DE"),
                 ("Birmingham", -1.90, 52.49, "GB"), ("Porto-Novo", 2.63, 6.50, "BJ"), ("Erevan", 44.51, 40.18, "AM"),
                 ("Ho Chi Minh-Ville", 106.63, 10.82, "VN"), ("Beer-Sheva", 34.79, 31.25, "IL")]
EUROPEANS = {"Francfort-sur-le-Main", "Turin", "Cracovie", "Barcelone", "Leipzig", "Birmingham"}


def _lyon(partners):
    from tests.conftest import LYON, make_result, make_row

    return make_result([make_row(i + 2, LYON, (n, x, y, None, None), c, 1960 + i, ("Culture, patrimoine",))
                        for i, (n, x, y, c) in enumerate(partners)], "lyon.csv")


def _label_ids_in(svg: bytes, group: str) -> set[str]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    g = next(e for e in root.iter() if e.get("id") == group)
    return {e.get("id") for e in g.iter() if (e.get("id") or "").startswith("label-")}


def test_collectivite_world_map_gets_a_europe_inset_labelling_the_european_partners(style):
    from atlasmaps.textnorm import slug

    out = static.render(_lyon(LYON_PARTNERS), style, RenderOptions(MapKind.COLLECTIVITE, collectivite="commune-69123",
                                                                     formats=("svg",)))
    svg = out.files["svg"]
    assert _ids(svg, "inset-europe") == ["inset-europe", "inset-europe-caption"]
    assert _ids(svg, "locator-") == ["locator-europe"]
    labels = _ids(svg, "label-")
    assert len(labels) == len(set(labels)) == len(LYON_PARTNERS) + 1  # each place labelled once, Lyon too
    in_inset = _label_ids_in(svg, "inset-europe")
    assert in_inset == {f"label-partner-{slug(n)}" for n in EUROPEANS} | {"label-commune-69123"}
    assert out.dropped_labels == ()


@pytest.mark.parametrize("partners", [
    [p for p in LYON_PARTNERS if p[0] not in EUROPEANS - {"Turin", "Leipzig"}],  # two in Europe only
    [p for p in LYON_PARTNERS if p[0] in EUROPEANS],  # all in Europe: a regional frame, Europe is the map
])
def test_no_europe_inset_without_a_world_frame_and_european_partners(style, partners):
    out = static.render(_lyon(partners), style, RenderOptions(MapKind.COLLECTIVITE, collectivite="commune-69123",
                                                              formats=("svg",)))
    assert _ids(out.files["svg"], "inset-") == []


# ------------------------------------------------------------------ the order of names in a list


@pytest.mark.parametrize("lang, countries", [("fr", ["Allemagne", "Égypte", "États-Unis", "Zimbabwe"]),
                                             ("en", ["Egypt", "Germany", "United States", "Zimbabwe"])])
def test_a_list_orders_names_as_a_reader_looks_for_them(style, lang, countries):
    """Accents and case set aside, numbers by their value: Égypte and États-Unis among the E (a plain
    string sort put them after Zimbabwe), "Ville 9" before "Ville 10" (it put 10 to 13 first)."""
    from atlasmaps import content
    from atlasmaps.textnorm import collation_key

    partners = [("Harare", 31.05, -17.83, "ZW"), ("Le Caire", 31.24, 30.04, "EG"), ("Chicago", -87.63, 41.88, "US"),
                ("Berlin", 13.40, 52.52, "DE")]
    svg = static.render(_lyon(partners), style, RenderOptions(MapKind.COLLECTIVITE, collectivite="commune-69123",
                                                               formats=("svg",), lang=lang)).files["svg"].decode()
    listed = re.search(r'<g id="partners-list".*', svg, re.S).group(0)
    assert sorted(countries, key=listed.index) == countries
    # a country map's list: the French partners of each zone
    zones = content.build(many_zones_result("BJ", 12, long_names=False), style,
                          RenderOptions(MapKind.COUNTRY, partner="BJ")).data.partners_by_zone
    for zone in zones:
        numbers = [int(name.split()[1]) for name, *_ in zone.french]
        assert numbers == sorted(numbers) and numbers[-1] - numbers[0] == 11, zone.name
    assert [z.name for z in zones] == sorted((z.name for z in zones), key=collation_key)
