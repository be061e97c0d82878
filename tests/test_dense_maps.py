"""Dense print maps (issue 13): zoom insets for clusters, aggregation when points crowd.

Counted in the SVG the print renderer writes: zoom insets (`zoom-inset-<side>-<n>` axes), their
locator boxes, aggregated circles (`aggregate-<side>-<unit>`) with their counts, labels
(`label-…`), and the legend's aggregation entries.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

import pytest

from atlasmaps.geo.boxes import overlaps
from atlasmaps.model import MapKind, RenderOptions


@dataclass
class Rendered:
    svg: str
    ids: list[str]
    dropped: tuple[str, ...]
    numbered: tuple[str, ...] = ()

    def count(self, pattern: str) -> int:
        return sum(1 for i in self.ids if re.fullmatch(pattern, i))

    def text_of(self, gid: str) -> str:
        """The text of an SVG text group, its lines joined by spaces."""
        m = re.search(rf'<g id="{re.escape(gid)}"[^>]*>(.*?)</g>', self.svg, re.S)
        assert m, gid
        return " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", m.group(1)))


def _render(joined, style, **kw) -> Rendered:
    from atlasmaps.render import static

    rm = static.render(joined, style, RenderOptions(formats=("svg",), **kw))
    svg = rm.files["svg"].decode()
    return Rendered(svg, re.findall(r'id="([^"]+)"', svg), rm.dropped_labels, rm.numbered_labels)


def _with_dense(style, **changes):
    """The style with some `dense:` values changed (as a user's style sheet would)."""
    return style.model_copy(update={"dense": style.dense.model_copy(update=changes)})


@pytest.fixture(scope="module")
def style():
    from atlasmaps.style import load_style

    return load_style("quai-dorsay")


@pytest.fixture(scope="module")
def clusters(cluster_result, style) -> Rendered:
    return _render(cluster_result, style, kind=MapKind.BILATERAL, partner="JP")


@pytest.fixture(scope="module")
def dense(dense_result, style) -> Rendered:
    return _render(dense_result, style, kind=MapKind.BILATERAL, partner="DE")


# --------------------------------------------------------------------------- zoom insets


def test_clusters_get_zoom_insets_with_locators_and_every_place_named(clusters: Rendered) -> None:
    # Île-de-France (7 communes) on the French side, Tokyo–Yokohama (6 places) on the partner side:
    # one inset each, each with its locator box and number on the panel. Osaka–Kobe–Kyoto is a
    # cluster too, but its three names fit beside their symbols: no inset.
    assert clusters.count(r"zoom-inset-france-\d") == 1
    assert clusters.count(r"zoom-inset-partner-\d") == 1
    assert clusters.count(r"locator-(france|partner)-\d") == 2
    assert clusters.count(r"locator-number-(france|partner)-\d") == 2
    for slug in ("osaka", "kobe", "kyoto"):
        assert clusters.count(rf"label-partner-{slug}") == 1, slug
    # Every place named, the clustered ones in their inset (ids prefixed zoom<n>-), none dropped.
    assert clusters.dropped == ()
    for code in ("92012", "93066", "93048", "78646", "92050", "95018"):
        assert clusters.count(rf"label-zoom1-commune-{code}") == 1, code
        assert clusters.count(rf"commune-{code}") == 0  # not piled up on the panel: the inset shows it
    assert clusters.count(r"label-commune-75056") == 1  # Paris also named on the panel, in its locator box
    for slug in ("tokyo", "yokohama", "kawasaki", "chiba", "saitama", "sagamihara", "osaka", "kobe", "kyoto"):
        assert clusters.count(rf"label-(zoom\d-)?partner-{slug}") >= 1, slug
    assert clusters.count(r"label-partner-nagoya") == 1  # alone: on the panel, no inset
    assert clusters.count(r"aggregate-.*") == 0  # ten places do not crowd a panel


def test_insets_are_marked_by_letters_not_by_the_numbers_of_places(cluster_result, style, monkeypatch) -> None:
    """An inset's mark, on its frame and beside its locator box, is a letter: the numbers on a map
    name the places whose label fits nowhere (a "1" beside a locator box was read as place number 1)."""
    from atlasmaps.render.static import dense as DN

    # Halos draw text as paths: without them the SVG keeps each mark as text, to be read here.
    plain = DN.D.label_props
    monkeypatch.setattr(DN.D, "label_props", lambda st: {k: v for k, v in plain(st).items() if k != "path_effects"})
    r = _render(cluster_result, style, kind=MapKind.BILATERAL, partner="JP")
    for side in ("france", "partner"):
        assert [r.text_of(f"{g}-{side}-1").strip() for g in ("locator-number", "zoom-inset-number")] == ["A", "A"]


def test_clusters_without_room_for_an_inset_get_numbered_callouts(cluster_result, style) -> None:
    """The fallback: no inset (here `insets_max: 0`), each clustered place but the most important
    is named on the panel by a number, and a key beside the map lists the numbers in order."""
    plain = _render(cluster_result, _with_dense(style, insets_max=0), kind=MapKind.BILATERAL, partner="JP")
    assert plain.count(r"zoom-inset-.*|locator-.*") == 0
    # Île-de-France: Paris named, the 6 others numbered 1–6; Tokyo named, the 5 others 7–11.
    assert plain.count(r"callout-commune-\d+") == 6
    assert plain.count(r"callout-partner-[a-z-]+") == 5
    assert plain.count(r"label-commune-75056") == 1 and plain.count(r"label-partner-tokyo") == 1
    # The key beside the map: 1–6 the French places, 7–11 the partner's, each number once.
    key = dict(re.findall(r"(\d+) ([^·]+?)(?: ·|$)", plain.text_of("legend-entry-callouts")))
    assert sorted(int(n) for n in key) == list(range(1, 12))
    assert {key[str(n)] for n in range(1, 7)} == {"Boulogne-Billancourt", "Saint-Denis", "Montreuil", "Versailles",
                                                 "Nanterre", "Argenteuil"}
    assert {key[str(n)] for n in range(7, 12)} == {"Yokohama", "Kawasaki", "Chiba", "Saitama", "Sagamihara"}
    assert plain.dropped == ()


def test_sparse_map_has_no_inset_nor_circle(japan_result, style) -> None:
    sparse = _render(japan_result, style, kind=MapKind.BILATERAL, partner="JP")
    assert sparse.count(r"zoom-inset-.*|locator-.*|aggregate-.*") == 0
    assert sparse.count(r"legend-entry-aggregate.*") == 0


# --------------------------------------------------------------------------- aggregation


def test_crowded_panels_aggregate_per_departement_and_admin1_unit(dense: Rendered, dense_result) -> None:
    rows = dense_result.mapped
    departements = {r.french.departement for r in rows}
    lands = {r.partner.admin1_id for r in rows}
    assert dense.count(r"aggregate-france-[0-9AB]+") == len(departements)
    assert dense.count(r"aggregate-partner-DE\.\w+") == len(lands)
    # Each circle's count is its unit's partnerships: together, every partnership once per side.
    for side in ("france", "partner"):
        counts = [int(dense.text_of(i)) for i in dense.ids if i.startswith(f"aggregate-count-{side}-")]
        assert sum(counts) == len(rows), side
    paris = dense.text_of("aggregate-count-france-75")
    assert int(paris) == sum(1 for r in rows if r.french.departement == "75")
    # No symbol per collectivité any more on the panels: the partner symbols and French points are gone.
    assert dense.count(r"partner-.*") - dense.count(r"(label|years)-.*partner-.*") <= 80


def test_aggregated_legend_says_the_mode_in_french_and_english(dense: Rendered, dense_result, style) -> None:
    assert "un cercle par département (France) et par région du pays partenaire" in \
        dense.text_of("legend-entry-aggregate-mode")
    assert dense.count(r"legend-entry-aggregate-\d+") == 3
    assert dense.count(r"legend-entry-theme-.*") == 0  # partner symbols no longer carry theme colours
    en = _render(dense_result, style, kind=MapKind.BILATERAL, partner="DE", lang="en")
    assert "one circle per département (France) and per region of the partner country" in \
        en.text_of("legend-entry-aggregate-mode")


def test_aggregated_panels_name_the_most_populous_places(dense: Rendered, dense_result) -> None:
    from atlasmaps import textnorm

    rows = dense_result.mapped  # the fixture's rows are by population, most populous first
    for r in rows[:20]:
        assert dense.count(rf"label-(zoom\d-)?commune-{r.french.code}") >= 1, r.french.name
        assert dense.count(rf"label-(zoom\d-)?partner-{textnorm.slug(r.partner.name)}") >= 1, r.partner.name
    assert len(dense.dropped) <= 5


def test_no_two_symbols_cover_each_other_by_half(dense: Rendered, style) -> None:
    """Places still drawn on the main panels (outside zoom insets): no two overlap by more than
    half the smaller's area; circles of different units neither."""
    def positions(pattern: str) -> list[tuple[float, float]]:
        out = []
        for m in re.finditer(rf'<g id="({pattern})"[^>]*>.*?<use[^>]*x="([\d.]+)" y="([\d.]+)"', dense.svg, re.S):
            out.append((float(m.group(2)), float(m.group(3))))
        return out

    def overlap(r1: float, r2: float, d: float) -> float:
        if d >= r1 + r2:
            return 0.0
        if d <= abs(r1 - r2):
            return 1.0
        a = r1 * r1 * math.acos((d * d + r1 * r1 - r2 * r2) / (2 * d * r1))
        b = r2 * r2 * math.acos((d * d + r2 * r2 - r1 * r1) / (2 * d * r2))
        c = 0.5 * math.sqrt((-d + r1 + r2) * (d + r1 - r2) * (d - r1 + r2) * (d + r1 + r2))
        return (a + b - c) / (math.pi * min(r1, r2) ** 2)

    places = positions(r"(?:commune|partner)-[^\"]+")
    # Aggregation took over: only the named places keep a symbol (20 most populous + 20 most
    # important per side, overlapping sets), not one per collectivité slid aside to make room.
    assert 40 <= len(places) <= 4 * style.dense.aggregate_labels
    r = style.symbol("place").size_pt / 2  # SVG units are points
    assert max(overlap(r, r, math.dist(p, q)) for p, q in itertools.combinations(places, 2)) <= 0.5


def test_circles_are_pushed_apart() -> None:
    import numpy as np

    from atlasmaps.content.dense import _push_apart

    x = np.array([0.0, 1.0, 2.0, 0.5])
    y = np.array([0.0, 0.0, 0.5, 1.0])
    r = np.array([3.0, 2.0, 1.0, 1.0])
    x2, y2 = _push_apart(x.copy(), y.copy(), r, 0.95)
    for i, j in itertools.combinations(range(4), 2):
        assert math.hypot(x2[i] - x2[j], y2[i] - y2[j]) >= (r[i] + r[j]) * 0.95 - 1e-6


def _drawn(joined, style, monkeypatch, **kw):  # noqa: ANN001, ANN202
    """The page as drawn (its figure, laid out and labelled, not written) and its placed labels."""
    from atlasmaps.render import static

    drawn = []
    place = static._place

    def recording(cv):  # noqa: ANN001, ANN202
        out = place(cv)
        drawn.append((cv.fig, out[0]))
        return out

    monkeypatch.setattr(static, "_place", recording)
    static.render(joined, style, RenderOptions(formats=(), **kw))
    return drawn[-1]


def test_an_inset_s_letter_is_outside_the_other_locator_boxes(tmp_path, style, monkeypatch) -> None:
    """Locator boxes overlap on this 70-row France–Japan country map: each letter goes beside a
    corner of its own box outside the other ("B" sat inside both on a 150-row one)."""
    from atlasmaps.join import join_file
    from atlasmaps.sample import synthetic

    joined = join_file(synthetic.write_csv(synthetic.generate(70, seed=2, only="JP"), tmp_path / "jp.csv"))
    fig, _ = _drawn(joined, style, monkeypatch, kind=MapKind.COUNTRY, partner="JP")
    renderer = fig.canvas.get_renderer()
    found = {a.get_gid(): tuple(a.get_window_extent(renderer).extents) for a in fig.findobj()
             if (a.get_gid() or "").startswith(("locator-partner-", "locator-number-partner-"))}
    boxes = {g.removeprefix("locator-partner-"): b for g, b in found.items() if "number" not in g}
    letters = {g.removeprefix("locator-number-partner-"): b for g, b in found.items() if "number" in g}
    assert len(boxes) == len(letters) == 3 and any(overlaps(a, b) for a in boxes.values() for b in boxes.values()
                                                   if a is not b)
    for n, letter in letters.items():
        assert not any(overlaps(letter, b) for m, b in boxes.items() if m != n), n


def test_no_label_covers_a_circle_s_count_nor_an_inset_s_mark(dense_result, style, monkeypatch) -> None:
    """A label may cross a circle but not hide what it counts ("Paris" hid a département's count,
    "Düsseldorf" half of "109") nor the letter of a zoom inset beside its locator box."""
    from matplotlib.text import Text

    fig, placed = _drawn(dense_result, style, monkeypatch, kind=MapKind.BILATERAL, partner="DE")
    renderer = fig.canvas.get_renderer()
    marks = [tuple(t.get_window_extent(renderer).extents) for t in fig.findobj(Text)
             if (t.get_gid() or "").startswith(("aggregate-count-", "locator-number-"))]
    labels = [tuple(a.get_window_extent(renderer).extents) for p in placed for a in p.artists if isinstance(a, Text)]
    assert len(marks) > 20 and len(labels) > 40
    # boxes that share more than an edge (the label placer's own test)
    assert [(label, mark) for label in labels for mark in marks if overlaps(label, mark)] == []


def test_a_circle_s_count_is_drawn_over_the_places_and_locator_boxes_crossing_it(dense: Rendered) -> None:
    """Paris's symbol hid the count of its département's circle, frame A the "9" of "109"
    (`zorder.circle_counts`; the SVG is in drawing order)."""
    for side, places in (("france", r"(commune|groupement)-.*"), ("partner", r"(locator|partner)-.*")):
        counts = [i for i, gid in enumerate(dense.ids) if gid.startswith(f"aggregate-count-{side}-")]
        under = [i for i, gid in enumerate(dense.ids) if re.fullmatch(places, gid) and not gid.startswith("label")]
        assert counts and under and max(under) < min(counts), side


def test_country_map_aggregates_the_partner_side(dense_result, style) -> None:
    # The country map's panel is bigger than a bilateral's half: 300 places crowd it less.
    country = _render(dense_result, _with_dense(style, aggregate_density=0.5), kind=MapKind.COUNTRY, partner="DE")
    assert country.count(r"aggregate-partner-DE\.\w+") == len({r.partner.admin1_id for r in dense_result.mapped})
    assert "un cercle par région du pays partenaire" in country.text_of("legend-entry-aggregate-mode")


# --------------------------------------------------------------------------- ~50-row France–Japan lists

#: Two mixes of the synthetic Atlas's draws: its own (70 % communes), and one richer in groupements
#: (long official names), départements and régions, as real lists of collectivités are.
JAPAN_LISTS = {"atlas-mix": (1, None),
               "groupements": (2, (("commune", 0.5), ("groupement", 0.3), ("departement", 0.12), ("region", 0.08)))}
BIG_FOUR = ("Tokyo", "Osaka", "Yokohama", "Nagoya")


@pytest.fixture(scope="module", params=sorted(JAPAN_LISTS))
def japan50(request, tmp_path_factory, style):
    """A 50-row France–Japan list: 46 rows drawn by the synthetic generator (real French units and
    Japanese gazetteer places, invented pairs), plus Tokyo, Osaka, Yokohama and Nagoya as partners;
    written as a CSV and joined as a user's file is. Returns (joined, rendered)."""
    from atlasmaps.join import join_file
    from atlasmaps.sample import synthetic

    seed, mix = JAPAN_LISTS[request.param]
    rows = synthetic.generate(46, seed=seed, only="JP", kind_mix=mix or synthetic.KIND_MIX)
    rows += [{**rows[k], "id": f"BIG{k}", "partenaire": name, "region_partenaire": ""} for k, name in enumerate(BIG_FOUR)]
    path = synthetic.write_csv(rows, tmp_path_factory.mktemp("japan50") / f"{request.param}.csv")
    joined = join_file(path)
    return joined, _render(joined, style, kind=MapKind.BILATERAL, partner="JP")


def test_fifty_row_japan_lists_name_every_place(japan50) -> None:
    """Issue 13: on a ~50-row France–Japan bilateral at most 5 labels are left out, none of a place
    over 100,000 inhabitants (by the gazetteer, as the map ranks them), and Tokyo, Osaka, Yokohama and
    Nagoya are written out. A place whose name fits nowhere is numbered, its name in the key."""
    from atlasmaps.content import importance

    joined, r = japan50
    assert len(joined.mapped) >= 45
    assert len(r.dropped) <= 5, r.dropped
    lookup = importance.partner_lookup("JP")
    population = {row.partner.name: importance.partner(lookup, row.partner.lon, row.partner.lat, False)[0]
                  for row in joined.mapped}
    population.update({row.french.name: importance.french(row.french.kind.value, row.french.code)[0]
                       for row in joined.mapped})
    assert [name for name in r.dropped if population.get(name, 0) > 100_000] == []
    for slug in ("tokyo", "osaka", "yokohama", "nagoya"):
        assert r.count(rf"label-(zoom\d-)?partner-{slug}") >= 1, slug
    # Every numbered place: its number on the map (panel or zoom inset), its full name in the key,
    # numbered 1..n.
    callouts = [i for i in r.ids if i.startswith("callout-")]
    key = dict(re.findall(r"(\d+) ([^·]+?)(?: ·|$)", r.text_of("legend-entry-callouts")))
    assert sorted(int(n) for n in key) == list(range(1, len(key) + 1))
    assert len(callouts) >= len(key) == len(r.numbered) > 0
    flat = {re.sub(r"[\s-]", "", v) for v in key.values()}  # the key's lines wrap inside names
    assert {re.sub(r"[\s-]", "", n) for n in r.numbered} <= flat
    # Labels are many: the numbers stand in for the few names with no room, not for the map's names.
    assert r.count(r"label-.*") >= 4 * len(callouts)


def test_a_key_with_no_room_keeps_its_most_important_places(tmp_path, style) -> None:
    """The key of numbered places stays inside the legend band: on a 95-row France–Albania (the
    synthetic Atlas's density) it used to list 80 places and run off the page. Now only the most
    important numbered places are keyed, as many as the band holds, numbered 1..n, each with its
    number on the map; the others are reported as dropped."""
    from atlasmaps.join import join_file
    from atlasmaps.sample import synthetic

    joined = join_file(synthetic.write_csv(synthetic.generate(95, seed=4, only="AL"), tmp_path / "al.csv"))
    r = _render(joined, style, kind=MapKind.BILATERAL, partner="AL")
    key = dict(re.findall(r"(\d+) ([^·]+?)(?: ·|$)", r.text_of("legend-entry-callouts")))
    assert sorted(int(n) for n in key) == list(range(1, len(key) + 1))
    assert len([i for i in r.ids if i.startswith("callout-")]) >= len(key) == len(r.numbered) > 10
    # Its last line is above the source line, the page's lowest text (SVG y grows downwards).
    def ys(gid: str) -> list[float]:
        m = re.search(rf'<g id="{gid}"[^>]*>(.*?)</g>', r.svg, re.S)
        return [float(y) for y in re.findall(r"<text[^>]*translate\([\d.]+ ([\d.]+)\)", m.group(1))]

    assert max(ys("legend-entry-callouts")) < min(ys("source")) - style.legend.entry_size_pt
    assert len(r.dropped) > 0


@pytest.fixture(scope="module")
def benin30(tmp_path_factory):
    """30 France–Bénin rows of the synthetic Atlas: a few places have no room for their name."""
    from atlasmaps.join import join_file
    from atlasmaps.sample import synthetic

    return join_file(synthetic.write_csv(synthetic.generate(30, seed=3, only="BJ"),
                                         tmp_path_factory.mktemp("benin30") / "bj.csv"))


def test_a_country_map_numbers_its_places_after_its_zones(benin30, style) -> None:
    """The zones of a country map are numbered 1..n in its list (and on the map where their name does
    not fit): its numbered places follow, n+1..., so that no number names two things on the page."""
    r = _render(benin30, style, kind=MapKind.COUNTRY, partner="BJ")
    zones = [i for i in r.ids if i.startswith("zone-list-") and i not in ("zone-list-more", "zone-list-annex")]
    key = dict(re.findall(r"(\d+) ([^·]+?)(?: ·|$)", r.text_of("legend-entry-callouts")))
    assert len(key) == len(r.numbered) > 0
    assert sorted(int(n) for n in key) == list(range(len(zones) + 1, len(zones) + 1 + len(key)))


@pytest.mark.parametrize("kind", [MapKind.BILATERAL, MapKind.COUNTRY])
def test_numbering_on_the_page_as_drawn_gives_the_page_laid_out_again(benin30, style, kind, monkeypatch) -> None:
    """The places with no room are numbered on the page already drawn (its labels placed again, its
    legend redrawn with their key) when the key leaves the page's boxes as they are: the same file,
    to the byte, as laying the page out again with them numbered."""
    from atlasmaps.render import static
    from atlasmaps.render.static import partner as PA

    compose = getattr(PA, kind.value)
    answers: list[bool] = []

    def composing(*args, **kw):  # the composition, its renumber() answering `force` or what it does
        renumber = compose(*args, **kw)

        def recorded() -> bool:
            answers.append(renumber() if force is None else force)
            return answers[-1]
        return recorded

    monkeypatch.setattr(PA, kind.value, composing)
    options = RenderOptions(kind, partner="BJ", formats=("svg",))
    force = None
    on_the_page = static.render(benin30, style, options)
    force = False
    laid_out_again = static.render(benin30, style, options)
    assert answers == [True, False]
    assert on_the_page.numbered_labels and on_the_page.numbered_labels == laid_out_again.numbered_labels
    assert on_the_page.dropped_labels == laid_out_again.dropped_labels
    assert on_the_page.files["svg"] == laid_out_again.files["svg"]


def test_a_place_inside_its_own_unit_s_circle_is_marked_by_the_circle(dense_result, style, monkeypatch) -> None:
    """Hamburg's and Berlin's dots sat on their Land's circle, half hiding its count: the circle marks
    them; their names are still written."""
    from atlasmaps.textnorm import slug

    fig, placed = _drawn(dense_result, style, monkeypatch, kind=MapKind.BILATERAL, partner="DE")
    renderer = fig.canvas.get_renderer()

    def centre(artist):  # noqa: ANN001, ANN202
        x0, y0, x1, y1 = artist.get_window_extent(renderer).extents
        return (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2

    gids = [(a.get_gid() or "", a) for a in fig.findobj()]
    circles = {g.removeprefix("aggregate-partner-"): centre(a) for g, a in gids if g.startswith("aggregate-partner-")}
    markers = {g.removeprefix("partner-"): centre(a) for g, a in gids if re.fullmatch(r"partner-[a-z0-9-]+", g)}
    unit = {slug(r.partner.name): r.partner.admin1_id for r in dense_result.rows}
    inside = [s for s, (x, y, _) in markers.items()
              if (c := circles.get(unit.get(s))) is not None and math.hypot(x - c[0], y - c[1]) < c[2]]
    assert len(circles) > 10 and len(markers) > 20 and inside == []
    assert {"Hamburg", "Berlin"} <= {p.request.key for p in placed}
    assert not {"hamburg", "berlin"} & set(markers)
