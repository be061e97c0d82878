"""Interactive HTML maps: built by atlasmaps.render.web, opened in a real headless Chromium.

Every request the page makes is routed: the file itself and data: URLs pass, anything else is
counted and aborted, so "zero external requests" is measured, not assumed. One browser per module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from atlasmaps.model import JoinResult, MapKind, RenderOptions
from conftest import LYON, PARIS, make_result, make_row

EVIL = "<script>alert(1)</script>"
EVIL_PARTNER = '<img src=x onerror="alert(2)">'


@pytest.fixture(scope="module")
def style():
    from atlasmaps.style import load_style

    return load_style()


@pytest.fixture(scope="module")
def xss_result(japan_result) -> JoinResult:
    """France–Japan plus rows whose texts are HTML: they must show as text everywhere."""
    evil_fr = ("C", "99999", EVIL, "75", "11", 2.30, 48.70)
    extra = [
        make_row(20, evil_fr, (EVIL_PARTNER, 141.35, 43.06, "JP.HK", "Hokkaidō"), "JP", 2020, ("<b>thème</b>",)),
        make_row(21, LYON, ("Sapporo", 141.35, 43.06, "JP.HK", "Hokkaidō"), "JP", 2021, ("Culture, patrimoine",)),
    ]
    return make_result([*japan_result.rows, *extra], "xss.csv")


def _render(joined: JoinResult, style, **kw):
    from atlasmaps.render import web

    return web.render(joined, style, RenderOptions(formats=("html",), **kw))


@pytest.fixture(scope="module")
def japan_html(japan_result, style) -> bytes:
    return _render(japan_result, style, kind=MapKind.BILATERAL, partner="JP").files["html"]


@pytest.fixture(scope="module")
def xss_html(xss_result, style) -> bytes:
    return _render(xss_result, style, kind=MapKind.BILATERAL, partner="JP").files["html"]


def _expected_places(joined: JoinResult, partner: str) -> tuple[int, int, int]:
    """(French symbols, partner symbols, arcs) counted from the data, independently of the renderer."""
    rows = [r for r in joined.mapped if r.partnership.pays == partner]
    french = {(r.french.kind, r.french.code) for r in rows}
    partners = {(r.partner.name, round(r.partner.lon, 5), round(r.partner.lat, 5)) for r in rows if r.partner.lon is not None}
    arcs = sum(1 for r in rows if r.partner.lon is not None)
    return len(french), len(partners), arcs


# ------------------------------------------------------------------------------------------------
# without a browser


def test_html_document_is_self_contained_and_labelled(japan_html):
    text = japan_html.decode()
    assert text.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in text
    assert re.search(r"<title>[^<]*Japon[^<]*</title>", text)
    assert re.search(r'<meta name="description" content="[^"]+"', text)
    assert "<script src" not in text and "<link " not in text  # nothing loaded from elsewhere
    assert "cdn.jsdelivr" not in text and "jquery" not in text.lower()
    assert "Leaflet 1.9.4" in text  # inlined from django-js-lib-leaflet


def test_english_map(japan_result, style):
    text = _render(japan_result, style, kind=MapKind.BILATERAL, partner="JP", lang="en").files["html"].decode()
    assert '<html lang="en">' in text
    assert "Japan" in text and "Show the table of partnerships" in text
    assert '"year_before":"before 1990"' in text and '"year_filter":"Start year, from"' in text
    assert '"count":["{n} partnerships","{n} partnership","{n} partnerships"]' in text


def test_france_japan_within_size_budget(japan_html):
    assert len(japan_html) <= 400 * 1024


def test_data_text_is_escaped_in_the_file(xss_html):
    text = xss_html.decode()
    assert EVIL not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # the table cell


def test_embed_snippet(japan_result, style):
    out = _render(japan_result, style, kind=MapKind.BILATERAL, partner="JP", embed=True)
    snippet = out.extra_files["embed.html"].decode()
    assert snippet.startswith('<iframe src="bilateral-JP.html"')
    assert 'title="Les coopérations décentralisées entre la France et le Japon"' in snippet
    assert f"height:{640}px" in snippet


def test_style_colour_reaches_the_html(japan_result, style):
    changed = style.model_copy(update={"links": style.links.model_copy(update={"color": "#123456"})})
    text = _render(japan_result, changed, kind=MapKind.BILATERAL, partner="JP").files["html"].decode()
    assert "#123456" in text


def test_great_circle_is_split_at_the_antimeridian():
    from atlasmaps.render.web import great_circle

    segments = great_circle(170.0, -10.0, -170.0, -12.0, precision=3)
    assert len(segments) == 2
    assert segments[0][-1][1] == 180.0 and segments[1][0][1] == -180.0
    assert all(abs(p[1]) <= 180 for s in segments for p in s)
    assert len(great_circle(2.35, 48.85, 139.69, 35.69, precision=3)) == 1


def test_tiles_option_adds_an_online_basemap(japan_result, style):
    url = "https://tiles.example.org/{z}/{x}/{y}.png"
    out = _render(japan_result, style, kind=MapKind.BILATERAL, partner="JP", tiles=url)
    assert url in out.files["html"].decode()
    assert any("requests outside" in w for w in out.warnings)


# ------------------------------------------------------------------------------------------------
# in the browser




@dataclass
class Opened:
    page: object
    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def _open(browser, html: bytes, path: Path, width: int = 1280, height: int = 800) -> Opened:
    path.write_bytes(html)
    page = browser.new_page(viewport={"width": width, "height": height})
    opened = Opened(page)
    own = path.as_uri()

    def route(r):
        url = r.request.url
        if url == own or url.startswith("data:"):
            r.continue_()
        else:
            opened.external.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: opened.errors.append(str(e)))

    def dialog(d):
        opened.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.goto(own)
    page.wait_for_selector(".leaflet-container")
    return opened




def _partners_of(joined: JoinResult, partner: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """French name -> its partners' names, and partner name -> its French names (from the data)."""
    fr: dict[str, set[str]] = {}
    pa: dict[str, set[str]] = {}
    for r in joined.mapped:
        if r.partnership.pays == partner and r.partner.lon is not None:
            fr.setdefault(r.french.name, set()).add(r.partner.name)
            pa.setdefault(r.partner.name, set()).add(r.french.name)
    return fr, pa


def _names(page, selector: str) -> set[str]:
    return {label.split(" (")[0] for label in page.locator(selector).evaluate_all("es => es.map(e => e.getAttribute('aria-label'))")}


@pytest.mark.browser
def test_bilateral_in_browser(browser, japan_result, japan_html, tmp_path):
    n_fr, n_pa, n_arcs = _expected_places(japan_result, "JP")
    o = _open(browser, japan_html, tmp_path / "bilateral-JP.html")
    page = o.page
    # two panels: France's markers in one, the partner's in the other
    assert page.locator(".atlas-pane-fr .leaflet-marker-icon.atlas-fr").count() == n_fr == 9
    assert page.locator(".atlas-pane-pa .leaflet-marker-icon.atlas-pa").count() == n_pa == 8
    assert page.locator(".atlas-pane-pa path.atlas-zone").count() == 8
    assert page.locator(".atlas-pane-fr path.atlas-basemap").count() > 100
    assert page.locator("path.atlas-link").count() == 0  # no permanent hairball
    page.screenshot(path=str(tmp_path / "bilateral-JP-1280.png"))
    assert (tmp_path / "bilateral-JP-1280.png").stat().st_size > 10_000
    assert o.external == [] and o.errors == []
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("side, other", [("fr", "pa"), ("pa", "fr")])
def test_hover_highlights_exactly_the_partners_in_the_other_panel(browser, japan_result, japan_html, tmp_path, side, other):
    by_fr, by_pa = _partners_of(japan_result, "JP")
    expected = by_fr if side == "fr" else by_pa
    o = _open(browser, japan_html, tmp_path / "hover.html")
    page = o.page
    markers = page.locator(f".leaflet-marker-icon.atlas-{side}")
    seen = 0
    for k in range(markers.count()):
        m = markers.nth(k)
        name = m.get_attribute("aria-label").split(" (")[0]
        if k == 0:
            m.hover()  # a real pointer; the others by their event (some symbols overlap: Bordeaux and its Métropole)
        else:
            m.dispatch_event("mouseover")
        got = _names(page, f".leaflet-marker-icon.atlas-{other}.atlas-hl")
        assert got == expected[name], name
        links = page.locator("svg.atlas-linkbox path.atlas-link")
        arcs = sum(1 for r in japan_result.mapped if r.partnership.pays == "JP" and r.partner.lon is not None
                   and (r.french.name if side == "fr" else r.partner.name) == name)
        assert links.count() == arcs, name
        seen += 1
    page.mouse.move(1, 799)
    assert page.locator(".atlas-hl").count() == 0 and page.locator("path.atlas-link").count() == 0
    assert seen == len(expected) and o.errors == []
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("width, height", [(1280, 800), (375, 740)])
def test_bilateral_panels_fit_each_country(browser, japan_html, tmp_path, width, height):
    o = _open(browser, japan_html, tmp_path / "bilateral-JP.html", width=width, height=height)
    page = o.page
    fr = page.locator(".atlas-pane-fr").bounding_box()
    pa = page.locator(".atlas-pane-pa").bounding_box()
    if width < 600:  # stacked: each panel the full width, France above
        assert fr["width"] == pa["width"] == width and fr["y"] + fr["height"] <= pa["y"] + 2
    else:  # side by side
        assert fr["x"] + fr["width"] <= pa["x"] + 2 and fr["height"] == pa["height"] == height
    for side, box in (("fr", fr), ("pa", pa)):
        for b in page.locator(f".leaflet-marker-icon.atlas-{side}").evaluate_all(
                "es => es.map(e => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width]; })"):
            assert box["x"] <= b[0] and b[0] + b[2] <= box["x"] + box["width"]
            assert box["y"] <= b[1] <= box["y"] + box["height"]
    # each country is fitted: its markers spread over a good part of its panel (readable without zooming)
    xs = page.locator(".leaflet-marker-icon.atlas-pa").evaluate_all("es => es.map(e => e.getBoundingClientRect().x)")
    assert max(xs) - min(xs) > pa["width"] / 4
    assert o.external == [] and o.errors == []
    page.close()


CONTROLS = (".atlas-heading", ".atlas-search", ".atlas-years", "details.atlas-layers > summary",
            "details.atlas-legend > summary", ".atlas-actions .atlas-button", ".leaflet-control-attribution",
            ".leaflet-control-zoom")


def overlapping_controls(page) -> list[tuple[str, str]]:
    """Pairs of visible map controls whose boxes intersect (on a phone they compete for the corners)."""
    boxes = [(sel, box) for sel in CONTROLS for el in page.locator(sel).all()
             if el.is_visible() and (box := el.bounding_box())]
    return [(a, b) for i, (a, p) in enumerate(boxes) for b, q in boxes[i + 1:]
            if p["x"] < q["x"] + q["width"] - 1 and q["x"] < p["x"] + p["width"] - 1
            and p["y"] < q["y"] + q["height"] - 1 and q["y"] < p["y"] + p["height"] - 1]


@pytest.mark.browser
def test_bilateral_narrow_screen(browser, japan_html, tmp_path):
    o = _open(browser, japan_html, tmp_path / "bilateral-JP.html", width=375, height=700)
    page = o.page
    # the panels start closed so the maps stay visible
    assert page.locator("details.atlas-legend[open]").count() == 0
    assert page.locator("details.atlas-layers[open]").count() == 0
    assert overlapping_controls(page) == []
    assert o.external == [] and o.errors == []
    page.close()


def _count_text(page) -> str:
    return page.locator(".atlas-count").inner_text()


@pytest.mark.browser
def test_year_slider_filters_markers_counts_and_table(browser, japan_result, japan_html, tmp_path):
    rows = [r for r in japan_result.mapped if r.partnership.pays == "JP"]
    since = 2000
    kept = [r for r in rows if r.partnership.annee and r.partnership.annee >= since]
    assert 0 < len(kept) < len(rows)
    o = _open(browser, japan_html, tmp_path / "years.html")
    page = o.page
    slider = page.get_by_role("slider", name="Année de lancement, à partir de")
    assert slider.get_attribute("aria-valuetext") == "avant 1990"
    assert _count_text(page) == f"{len(rows)} partenariats"
    slider.evaluate(f"(e) => {{ e.value = {since}; e.dispatchEvent(new Event('input')); }}")
    assert slider.get_attribute("aria-valuetext") == f"depuis {since}"
    assert _count_text(page) == f"{len(kept)} partenariats"
    assert page.locator(".leaflet-marker-icon.atlas-fr").count() == len({r.french.name for r in kept})
    assert page.locator(".leaflet-marker-icon.atlas-pa").count() == len({r.partner.name for r in kept})
    page.get_by_role("button", name="Afficher le tableau des partenariats").click()
    assert page.locator("#atlas-table tbody tr:visible").count() == len(kept)
    page.locator(".atlas-table-close").click()
    # keyboard: Home goes back to "before 1990", every partnership
    slider.focus()
    page.keyboard.press("Home")
    assert _count_text(page) == f"{len(rows)} partenariats"
    page.keyboard.press("End")
    last = max(r.partnership.annee for r in rows if r.partnership.annee)
    n_last = sum(1 for r in rows if r.partnership.annee == last)
    assert _count_text(page) == (f"{n_last} partenariat" + ("s" if n_last > 1 else ""))
    assert o.errors == []
    page.close()


@pytest.mark.browser
def test_keyboard_reaches_every_marker_and_control(browser, japan_result, japan_html, tmp_path):
    by_fr, _ = _partners_of(japan_result, "JP")
    o = _open(browser, japan_html, tmp_path / "kbd-all.html")
    page = o.page
    wanted = page.evaluate("""() => {
        document.querySelectorAll('details').forEach(d => { d.open = true; });  // the panels' own controls too
        const es = [...document.querySelectorAll('.leaflet-marker-icon, button, input, summary, select, a[href]')]
            .filter(e => e.checkVisibility() && !e.closest('#atlas-table'));
        es.forEach((e, i) => e.setAttribute('data-kbd', i));
        return es.length; }""")
    reached = set()
    for _ in range(wanted * 3):
        page.keyboard.press("Tab")
        k = page.evaluate("document.activeElement && document.activeElement.getAttribute('data-kbd')")
        if k is not None:
            reached.add(int(k))
        if len(reached) == wanted:
            break
    missing = page.evaluate("ids => [...document.querySelectorAll('[data-kbd]')].filter(e => !ids.includes(+e.getAttribute('data-kbd'))).map(e => e.outerHTML.slice(0, 80))", sorted(reached))
    assert missing == []
    assert wanted >= 9 + 8 + 13 + 5  # markers, layer/type/theme boxes, search, slider, zoom, reset, table
    # focus on a French marker highlights its partners; Enter keeps the highlight and opens its popup
    m = page.locator(".leaflet-marker-icon.atlas-fr").first
    name = m.get_attribute("aria-label").split(" (")[0]
    m.focus()
    assert _names(page, ".leaflet-marker-icon.atlas-pa.atlas-hl") == by_fr[name]
    page.keyboard.press("Enter")
    assert page.locator(".leaflet-popup").count() == 1
    assert _names(page, ".leaflet-marker-icon.atlas-pa.atlas-hl") == by_fr[name]
    assert o.errors == []
    page.close()


@pytest.mark.browser
def test_overseas_insets(browser, world_result, overseas_result, style, tmp_path):
    from atlasmaps.content.common import OVERSEAS_INSETS

    france = _render(world_result, style, kind=MapKind.FRANCE).files["html"]
    o = _open(browser, france, tmp_path / "france.html")
    page = o.page
    buttons = page.locator(".atlas-insets button[data-inset]:not([data-inset=metro])")
    shown = buttons.evaluate_all("es => es.map(e => e.getAttribute('data-inset'))")
    assert shown == ["974"]  # the one overseas département with partnerships in the fixtures
    assert buttons.first.inner_text() == style.text(f"inset.{OVERSEAS_INSETS['974'][0]}", "fr") == "La Réunion"
    page.close()
    # the France panel of a bilateral map: the inset brings La Réunion's collectivités into view
    html = _render(overseas_result, style, kind=MapKind.BILATERAL, partner="MG").files["html"]
    o = _open(browser, html, tmp_path / "mg.html")
    page = o.page
    fr_box = page.locator(".atlas-pane-fr").bounding_box()

    def visible_fr() -> int:
        return sum(1 for x, y in page.locator(".leaflet-marker-icon.atlas-fr").evaluate_all(
            "es => es.map(e => { const r = e.getBoundingClientRect(); return [r.x, r.y]; })")
                   if fr_box["x"] <= x <= fr_box["x"] + fr_box["width"] and fr_box["y"] <= y <= fr_box["y"] + fr_box["height"])

    before = visible_fr()
    page.locator(".atlas-insets button[data-inset='974']").click()
    page.wait_for_timeout(400)
    assert visible_fr() == 2 != before  # Saint-Denis and the Région Réunion, not Lyon
    assert o.external == [] and o.errors == []
    page.close()


@pytest.mark.browser
def test_table_shows_without_javascript(browser, japan_html, tmp_path):
    path = tmp_path / "nojs.html"
    path.write_bytes(japan_html)
    page = browser.new_page(java_script_enabled=False)
    page.goto(path.as_uri())
    table = page.locator("#atlas-table")
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 10
    page.close()


@pytest.mark.browser
def test_escaped_text_in_tooltip_popup_search_and_table(browser, xss_html, tmp_path):
    o = _open(browser, xss_html, tmp_path / "xss.html")
    page = o.page
    marker = page.locator(f'.leaflet-marker-icon[aria-label^="{EVIL}"]')
    assert marker.count() == 1
    marker.hover()
    assert EVIL in page.locator(".leaflet-tooltip").inner_text()
    marker.click()
    popup = page.locator(".leaflet-popup-content")
    assert EVIL in popup.inner_text() and EVIL_PARTNER in popup.inner_text()
    assert "Autres thématiques" in popup.inner_text()  # an unknown theme goes to the style's "autre"
    page.locator(".leaflet-popup-close-button").click()
    page.fill(".atlas-search input", "script")
    result = page.locator(".atlas-results button")
    assert result.count() == 1 and EVIL in result.inner_text()
    result.click()
    assert EVIL in page.locator(".leaflet-popup-content").inner_text()
    page.get_by_role("button", name="Afficher le tableau des partenariats").click()
    table = page.locator("#atlas-table")
    assert table.is_visible()
    assert EVIL in table.inner_text() and EVIL_PARTNER in table.inner_text()
    assert page.locator("#atlas-table img, .leaflet-popup img, .leaflet-tooltip img, .leaflet-popup b").count() == 0
    assert o.dialogs == [] and o.external == [] and o.errors == []
    page.close()


@pytest.mark.browser
def test_keyboard_reaches_a_marker_and_opens_its_popup(browser, japan_html, tmp_path):
    o = _open(browser, japan_html, tmp_path / "kbd.html")
    page = o.page
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('leaflet-marker-icon')"):
            break
    else:
        pytest.fail("Tab never reached a marker")
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert label
    page.keyboard.press("Enter")
    assert page.locator(".leaflet-popup").count() == 1
    assert page.evaluate("!!document.activeElement.closest('.leaflet-popup')")  # focus moved into it
    assert label.split(" (")[0] in page.locator(".leaflet-popup-content h2").inner_text()
    page.close()


@pytest.mark.browser
def test_filters_hide_symbols_and_their_legend(browser, japan_html, tmp_path):
    o = _open(browser, japan_html, tmp_path / "filters.html")
    page = o.page
    page.locator("details.atlas-layers summary").click()
    villes = page.locator(".atlas-legend li", has_text="Villes")
    assert villes.is_visible()
    page.locator(".atlas-layers label", has_text="Villes").locator("input").uncheck()
    assert page.locator(".leaflet-marker-icon.atlas-fr").count() == 9 - 6  # six communes in the fixture
    assert villes.is_hidden()
    page.locator(".atlas-layers label", has_text="Liens de coopération").locator("input").uncheck()
    assert page.locator("path.atlas-link").count() == 0
    assert page.locator(".atlas-legend section", has_text="Thématiques").is_hidden()
    assert o.errors == []
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["country", "world", "france"])
def test_other_kinds_in_browser(browser, world_result, benin_result, style, kind, tmp_path):
    if kind == "country":
        html = _render(benin_result, style, kind=MapKind.COUNTRY, partner="BJ").files["html"]
    else:
        html = _render(world_result, style, kind=MapKind(kind)).files["html"]
    o = _open(browser, html, tmp_path / f"{kind}.html")
    page = o.page
    if kind == "country":
        _, n_pa, _ = _expected_places(benin_result, "BJ")
        assert page.locator(".leaflet-marker-icon.atlas-pa").count() == n_pa
        page.locator("path.atlas-zone").first.click(force=True)
        assert page.locator(".leaflet-popup-content .atlas-row").count() >= 1
    elif kind == "world":
        japan = page.locator('path.atlas-unit[aria-label^="Japon"]')
        assert japan.count() >= 1
        assert "10 projets" in japan.first.get_attribute("aria-label")
        japan.first.focus()
        page.keyboard.press("Enter")
        listing = page.locator(".leaflet-popup-content li")
        assert listing.count() == style.web.popup_top_n == 8  # the top N (oldest first), not all ten
        assert "Paris – Kyoto (1958)" in listing.first.inner_text()
        page.locator(".atlas-table-country").click()  # opens the table on Japan's ten partnerships
        sub = page.locator("#atlas-table .atlas-subtable")
        assert sub.is_visible() and sub.locator("tbody tr").count() == 10
        assert "Japon – 10 partenariats" in sub.locator("caption").inner_text()
        assert "Paris" in sub.inner_text() and "Tokyo" in sub.inner_text()
    else:
        units = page.locator("path.atlas-unit")
        assert units.count() >= 13  # régions
        idf = page.locator('path.atlas-unit[aria-label^="Île-de-France"]')
        assert idf.count() >= 1
    assert o.external == [] and o.errors == []
    page.close()


@pytest.mark.browser
def test_request_interception_sees_tile_requests(browser, japan_result, style, tmp_path):
    """The counter is real: a map with online tiles is caught making requests."""
    html = _render(japan_result, style, kind=MapKind.BILATERAL, partner="JP",
                   tiles="https://tiles.example.org/{z}/{x}/{y}.png").files["html"]
    o = _open(browser, html, tmp_path / "tiles.html")
    o.page.wait_for_timeout(200)
    assert any(u.startswith("https://tiles.example.org/") for u in o.external)
    o.page.close()


@pytest.mark.parametrize("lang, few, one_each, wrong", [
    ("fr", "5 projets dans 1 pays", "1 projet dans 1 pays", ("1 projets",)),
    ("en", "5 projects in 1 country", "1 project in 1 country", ("1 projects", "1 countries")),
])
def test_world_subtitle_plural_per_count(japan_result, style, lang, few, one_each, wrong):
    from dataclasses import replace

    five = _render(replace(japan_result, rows=japan_result.mapped[:5]), style, kind=MapKind.WORLD,
                   lang=lang).files["html"].decode()
    assert few in five
    one = _render(replace(japan_result, rows=japan_result.mapped[:1]), style, kind=MapKind.WORLD,
                  lang=lang).files["html"].decode()
    assert one_each in one
    for text in (five, one):
        for w in wrong:
            assert w not in text


@pytest.mark.parametrize("lang, one, wrong", [("fr", "1 projet", "1 projets"), ("en", "1 project", "1 projects")])
def test_legend_single_class_is_singular(japan_result, style, lang, one, wrong):
    from dataclasses import replace

    single = replace(japan_result, rows=japan_result.mapped[:1])
    for kind in (MapKind.FRANCE, MapKind.WORLD):
        text = _render(single, style, kind=kind, lang=lang).files["html"].decode()
        assert one in text and wrong not in text


@pytest.mark.parametrize("lang, one, wrong", [("fr", "1 partenariat", "1 partenariats"),
                                              ("en", "1 partnership", "1 partnerships")])
def test_web_subtitles_singular(japan_result, style, lang, one, wrong):
    from dataclasses import replace

    single = replace(japan_result, rows=japan_result.mapped[:1])
    for kind in (MapKind.COUNTRY, MapKind.BILATERAL):
        text = _render(single, style, kind=kind, partner="JP", lang=lang).files["html"].decode()
        assert one in text and wrong not in text


@pytest.fixture(scope="module")
def atlas_result(tmp_path_factory) -> JoinResult:
    """The synthetic Atlas-size data (12,000 rows, 140 countries), joined as every command does."""
    from atlasmaps.pipeline import load_joined
    from atlasmaps.sample.synthetic import generate, write_csv

    path = write_csv(generate(), tmp_path_factory.mktemp("atlas") / "synthetic.csv")
    return load_joined(path)


def test_full_atlas_sizes(atlas_result, style):
    """Size budgets on the full Atlas: world map <= 1.5 MB; France–Japan bilateral <= 400 KB."""
    assert len(atlas_result.rows) == 12000 and len(atlas_result.mapped) > 11000
    world = _render(atlas_result, style, kind=MapKind.WORLD).files["html"]
    assert len(world) <= 1.5 * 1024 * 1024
    # the popups hold N partnerships each, the table all of them: every mapped row is in the payload
    assert world.decode().count('"f":') == len(atlas_result.mapped)
    japan = _render(atlas_result, style, kind=MapKind.BILATERAL, partner="JP").files["html"]
    assert len(japan) <= 400 * 1024


def test_the_page_script_reads_only_keys_the_payload_declares():
    """`atlas.js` reads the payload by name (`D.key`); a key it reads that the schema does not declare
    is one no map sets (it read `D.search_max` for a year, and always fell back to 8 results)."""
    from importlib.resources import files

    from atlasmaps.render.web.payload import Payload

    script = files("atlasmaps.render").joinpath("web_assets/atlas.js").read_text(encoding="utf-8")
    read = set(re.findall(r"\bD\.([A-Za-z_]\w*)", script))
    assert read and read <= set(Payload.__annotations__), sorted(read - set(Payload.__annotations__))
