"""Style sheets: the ministry's visual identity in one YAML file, shared by print and web.

Renderers contain no colour, font, size or text literal: they ask the resolved `Style`
returned by `load_style()`. A style may `extends:` another (deep merge, child wins key by key),
colours may reference the style's `palette` as "@name", and every text lives in the label
tables `labels.fr` / `labels.en`, which must hold the same keys and placeholders.
Errors name the file and the YAML path of the problem, on one line each.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import string
import types
import typing
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError
from pydantic_core import PydanticCustomError

from atlasmaps.errors import StyleError
from atlasmaps.textnorm import fold
from atlasmaps.textnorm import words as words_key

DEFAULT_STYLE = "quai-dorsay"
LANGUAGES = ("fr", "en")  # languages every label must exist in
from atlasmaps.shipped import STYLES_ENV  # noqa: E402 - re-exported
ALWAYS_AVAILABLE_FONT = "DejaVu Sans"  # shipped with matplotlib

_COLOR_RE = re.compile(r"^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})$")


class StyleValidationError(StyleError):
    """A style sheet with one or more problems; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})" if len(problems) > 1 else ""
        super().__init__(problems[0] + more)


# --------------------------------------------------------------------------- field types


def _check_color(value: str) -> str:
    if not _COLOR_RE.match(value):
        raise PydanticCustomError(
            "colour", "invalid colour '{value}' (expected #RGB, #RRGGBB or #RRGGBBAA)", {"value": value}
        )
    return value.upper()


Color = Annotated[str, Field(strict=True), AfterValidator(_check_color)]

# Values that reach the web map's CSS or Leaflet options are checked by pattern, so no style sheet can
# close the <style> element or inject markup: `styles validate` refuses them.
_FONT_NAME_RE = re.compile(r"^[^\W_][\w .\-]{0,63}$")
_DASH_RE = re.compile(r"^\d+(?:\.\d+)?(?:[ ,]+\d+(?:\.\d+)?)*$")
GENERIC_FAMILIES = ("serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui",
                    "ui-serif", "ui-sans-serif", "ui-monospace", "ui-rounded", "math", "emoji", "fangsong")


def _pattern(regex: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not regex.match(value):
            shown = value if len(value) <= 40 else value[:40] + "…"
            raise PydanticCustomError("css_value", "invalid {what} {value} ({expected})",
                                      {"what": what, "value": repr(shown), "expected": _EXPECTED[what]})
        return value

    return AfterValidator(check)


_EXPECTED = {
    "font name": "letters, digits, spaces, dots and hyphens only",
    "dash pattern": "numbers separated by spaces or commas, e.g. '4 4'",
}
FontName = Annotated[str, Field(strict=True), _pattern(_FONT_NAME_RE, "font name")]
DashPattern = Annotated[str, Field(strict=True), _pattern(_DASH_RE, "dash pattern")]
Number = Annotated[float, Field(strict=True, ge=0)]
Degrees = Annotated[float, Field(strict=True, ge=-360, le=360)]
Fraction = Annotated[float, Field(strict=True, ge=0, le=1)]
Text = Annotated[str, Field(strict=True)]
Position = Literal["lower left", "lower right", "upper left", "upper right"]


class _Section(BaseModel):
    """Every section rejects unknown keys, so a typo is an error instead of a silent default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Fonts(_Section):
    family: list[FontName] = Field(min_length=1)
    generic: Literal[GENERIC_FAMILIES] = "sans-serif"  # type: ignore[valid-type]


class TextBlock(_Section):
    size_pt: Number
    size_px: Number
    color: Color
    weight: Literal["normal", "bold"] = "normal"
    style: Literal["normal", "italic"] = "normal"
    align: Literal["left", "center", "right"] = "left"
    uppercase: StrictBool = False


class Blocks(_Section):
    title: TextBlock
    subtitle: TextBlock
    source: TextBlock
    credits: TextBlock


class Margins(_Section):
    top: Number
    right: Number
    bottom: Number
    left: Number


class Page(_Section):
    width_mm: Number
    height_mm: Number
    margins_mm: Margins

    @property
    def width_in(self) -> float:
        return self.width_mm / 25.4

    @property
    def height_in(self) -> float:
        return self.height_mm / 25.4


class Basemap(_Section):
    sea: Color
    land: Color
    france_land: Color
    partner_land: Color
    border: Color
    border_width_pt: Number
    border_width_px: Number
    admin1_border: Color
    admin1_border_width_pt: Number
    coastline: Color
    coastline_width_pt: Number


class Fill(_Section):
    """A filled area: régions/départements drawn as units, zones d'intervention."""

    fill: Color
    alpha: Fraction
    edge: Color
    edge_width_pt: Number
    edge_width_px: Number


class Symbol(_Section):
    marker: Text  # matplotlib marker code
    web_shape: Literal["circle", "square", "diamond", "triangle", "star"]
    size_pt: Number
    size_px: Number
    fill: Color
    edge: Color
    edge_width_pt: Number
    edge_width_px: Number
    polygon: Fill | None = None


class Symbols(_Section):
    region: Symbol
    departement: Symbol
    groupement: Symbol
    commune: Symbol
    partner: Symbol
    place: Symbol  # a place still named on an aggregated panel (print only)


class LangText(_Section):
    fr: Text
    en: Text


class Theme(_Section):
    color: Color
    label: LangText
    aliases: list[Text] = []


class Years(_Section):
    """Years beside partner names (print; the web writes them in popups)."""

    show: StrictBool
    size_pt: Number
    color: Color
    weight: Literal["normal", "bold"] = "normal"


class PlaceLabels(_Section):
    """Names on print maps (the web shows them in tooltips)."""

    size_pt: Number
    color: Color
    weight: Literal["normal", "bold"] = "normal"
    halo_color: Color
    halo_width_pt: Number
    max_labels: StrictInt = Field(ge=0)
    # A label moved away from its symbol is tied to it by a thin leader line.
    leader_color: Color
    leader_width_pt: Number
    leader_step_pt: Number  # distance between two rings of candidate positions
    leader_max_distance_pt: Number  # farthest a label may move (0: labels only touch their symbol)
    # A name of at least this many characters that fits nowhere on one line is tried on two (0: never).
    wrap_min_chars: StrictInt = Field(0, ge=0)
    # French groupement names shortened on print labels as atlases do ("Communauté d'agglomération"
    # -> "CA"), matched at word boundaries whatever the case; lists, legends and web keep full names.
    abbreviations: dict[str, str] = Field(default_factory=dict)


class LabelPriority(_Section):
    """How important a place's label is (issue 13): the most important are placed first, the rest
    give way. Weights, not visual sizes: population counts per power of ten of inhabitants, ranks
    add a bonus (capital, region_seat, departement_seat, arrondissement_seat for places; region,
    departement, groupement, admin1 for collectivités drawn as units), each partnership adds its weight."""

    population: Number = Field(ge=0)
    partnerships: Number = Field(ge=0)
    ranks: dict[Text, Number] = {}


class Dense(_Section):
    """Dense print maps (issue 13): zoom insets for clusters whose labels cannot fit, and
    proportional circles per département / admin-1 unit when a panel's symbols crowd."""

    # Clusters: symbols closer than `cluster_mm` on the page chain into one cluster; a cluster of at
    # least `cluster_min_points` symbols gets an inset (at most `insets_max` per panel).
    cluster_mm: Number = Field(gt=0)
    cluster_min_points: StrictInt = Field(ge=2)
    insets_max: StrictInt = Field(ge=0)
    inset_width_mm: Number = Field(gt=0)
    inset_height_mm: Number = Field(gt=0)
    inset_pad: Fraction  # margin around the cluster in its inset, of its size
    inset_mm2_per_place: Number = Field(gt=0)  # a cluster of many places gets a bigger inset...
    inset_max_share: Fraction  # ...up to this share of its panel's width and height
    zoom_min: Number = Field(gt=1)  # an inset enlarges at least this much, at most zoom_max
    zoom_max: Number = Field(gt=1)
    margin_mm: Number  # between an inset and its panel's edge
    frame_color: Color  # the inset's frame and the locator box on the main panel
    frame_width_pt: Number
    number_size_pt: Number  # the inset's mark, on its frame and beside its locator box
    # The insets of a panel are marked by these characters in order (letters: numbers name the
    # places whose label fits nowhere); an inset past the last one is marked by its number.
    inset_marks: str = Field(min_length=1)
    # Aggregation: past `aggregate_density` symbols per cm² of panel, circles per unit.
    aggregate_density: Number = Field(gt=0)
    aggregate_labels: StrictInt = Field(ge=0)  # places still named on an aggregated panel
    circle_color: Color
    circle_alpha: Fraction
    circle_edge: Color
    circle_edge_width_pt: Number
    circle_max_size_pt: Number  # diameter of the largest circle
    circle_min_size_pt: Number
    circle_spacing: Fraction  # circles are pushed apart until centres are this share of their radii apart
    count_size_pt: Number  # the count written in a circle
    count_color: Color


class Links(_Section):
    """Great-circle arcs between partners (web maps, the collectivité's print map, the GeoPackage's style)."""

    color: Color
    weight_px: Number
    weight_pt: Number
    opacity: Fraction
    dash: DashPattern | None = None  # Leaflet dashArray, e.g. "4 4"


class Choropleth(_Section):
    palette: list[Color] = Field(min_length=3, max_length=9)  # light to dark
    scheme: Literal["jenks", "quantiles", "equal_interval"] = "jenks"
    k: StrictInt = Field(ge=2, le=9)
    no_data: Color
    # French units without project on the France map: a light tint of their own, so France reads as a
    # whole against the grey neighbours (None: same as no_data).
    france_no_data: Color | None = None
    france: Color
    edge: Color
    edge_width_pt: Number
    edge_width_px: Number
    opacity: Fraction


class Proportional(_Section):
    """Proportional circles of the print world map."""

    color: Color
    alpha: Fraction
    edge: Color
    edge_width_pt: Number
    max_size_pt: Number
    min_size_pt: Number


class ScaleBar(_Section):
    show: StrictBool = True
    color: Color
    size_pt: Number
    bar_height_pt: Number
    length_fraction: Fraction
    position: Position = "lower right"
    # From the panel's corner, as shares of its width and height (the bar's end, its baseline);
    # zoom insets keep off the corner (render.static.dense.avoid_boxes).
    margin: tuple[Fraction, Fraction] = (0.04, 0.035)


class NorthArrow(_Section):
    color: Color
    size_pt: Number
    position: Position = "upper right"
    # The arrow's tip from the panel's side and top (bottom: its letter), as shares of the panel's
    # width and height, and the arrow's length as a share of its height; insets keep off that corner.
    margin: tuple[Fraction, Fraction] = (0.05, 0.07)
    length: Fraction = 0.07


class Legend(_Section):
    title_size_pt: Number
    entry_size_pt: Number
    section_size_pt: Number
    title_size_px: Number
    entry_size_px: Number
    title_color: Color
    entry_color: Color
    title_uppercase: StrictBool = False
    frame_color: Color
    frame_width_pt: Number
    background: Color
    background_alpha: Fraction


class BilateralLayout(_Section):
    """France and the partner side by side (landscape) or stacked (portrait), the legend band below."""

    gap_mm: Number  # between panels, and between the panels and the legend band
    legend_columns: StrictInt = Field(ge=1)
    legend_min_rows: StrictInt = Field(ge=1)  # the band is as high as its longest column, at least this
    legend_band_max: Fraction  # of the body height
    partner_share: Fraction  # of the width, for the partner panel (landscape)
    partner_share_wide: Fraction  # the same for a wide partner country
    wide_partner_aspect: Number  # width / height above which the partner counts as wide
    partner_pad: Fraction  # margin around the partner's frame, of its size
    inset_height_mm: Number  # overseas insets strip, at most
    inset_height_max: Fraction  # of the France panel's height


class CountryLayout(_Section):
    """The partner country, with the legend and the partners list in a column beside it."""

    side_width_mm: Number
    side_width_max: Fraction  # of the body width
    gap_mm: Number  # between the map and the column
    list_gap_mm: Number  # between the legend and the partners list
    key_height_max: Fraction  # of the column's height: the key of numbered places, the list keeping the rest
    pad: Fraction  # margin around the country's frame


class EuropeInset(_Section):
    """The world map's Europe inset: where most partnerships are, enlarged so a country such as
    Belgium is readable (at least 5 mm across on A4)."""

    width_mm: Number  # at the page's lower left, the legend and the top list beside it
    height_mm: Number  # across the band, up into the empty South Pacific (not as high as Polynesia)
    gap_mm: Number  # between the inset and the legend
    extent_deg: list[Degrees] = Field(min_length=4, max_length=4)  # [west, south, east, north] it frames
    pad: Fraction  # margin around that extent


class WorldLayout(_Section):
    """The world map above a band with the legend and the top list."""

    band_height_mm: Number
    gap_mm: Number  # between the map and the band
    legend_width_mm: Number
    top_list_x_mm: Number  # where the top list starts in the band
    pad: Fraction
    europe: EuropeInset


class FranceLayout(_Section):
    """Metropolitan France between a column of overseas insets and the legend."""

    inset_width_mm: Number
    legend_width_mm: Number
    gap_mm: Number


class CollectiviteLayout(_Section):
    """One collectivité: a column with France (locator), the legend and the partners list, the world map beside."""

    side_width_mm: Number
    locator_height_mm: Number  # France with the collectivité, at the top of the column
    gap_mm: Number
    pad: Fraction  # margin around the partners' frame
    world_span_deg: Number  # partners spread over more longitudes than this: an equal-area world frame
    # On that world frame, Europe enlarged in a corner when at least this many partners are in it
    # (layout.world.europe.extent_deg):
    europe_min_partners: StrictInt = Field(ge=1)
    europe_width_mm: Number
    europe_height_mm: Number
    europe_pad: Fraction


class InsetLayout(_Section):
    """Overseas départements drawn as insets."""

    gap_mm: Number  # between two insets of a strip
    pad: Fraction  # margin around a département in its inset
    min_size_m: Number  # smallest extent an inset shows (Mayotte is small)


class InsetFrame(_Section):
    """The look of an enlarged inset: its frame, and the locator box on the main panel showing where it is."""

    frame_color: Color
    frame_width_pt: Number
    locator_color: Color
    locator_width_pt: Number
    caption_size_pt: Number
    caption_color: Color


class Annex(_Section):
    """The PDF's annex pages: the full lists that did not fit beside the map."""

    columns: StrictInt = Field(ge=1)
    column_gap_mm: Number
    entry_gap_mm: Number  # between two entries (zones, countries)
    line_spacing: Number  # of the entries' text, in line heights


class Layout(_Section):
    """Where things go on the print page (mm and shares of boxes), per composition."""

    panel_pad: Fraction  # margin around France's frame in its panel
    bilateral: BilateralLayout
    country: CountryLayout
    world: WorldLayout
    france: FranceLayout
    collectivite: CollectiviteLayout
    insets: InsetLayout
    annex: Annex


class ZOrder(_Section):
    """Drawing order of the print maps' layers: higher is drawn on top."""

    sea: Number
    countries: Number  # basemap and world choropleth
    highlight: Number  # France, the partner
    departement_borders: Number
    region_units: Number
    departement_units: Number
    unit_outlines: Number
    france_units: Number  # France map choropleth
    zones: Number
    admin1_borders: Number
    zone_outlines: Number
    circles: Number
    groupements: Number
    communes: Number
    partners: Number
    links: Number  # the collectivité map's arcs
    leaders: Number
    locators: Number  # the locator boxes of zoom insets
    circle_counts: Number  # the count in a circle, over the places and locator boxes drawn across it
    labels: Number
    scale_bar: Number
    north_arrow: Number


class Web(_Section):
    map_height_px: StrictInt = Field(gt=0)
    popup_max_width_px: StrictInt = Field(gt=0)
    coordinate_precision: StrictInt = Field(ge=0, le=8)
    simplify_tolerance: Number
    accent: Color
    accent_text: Color
    table_stripe: Color
    # The view: Leaflet zoom levels, and where the map opens when the data give no extent.
    start_zoom: Number
    min_zoom: Number
    max_zoom: Number
    zoom_snap: Number
    search_zoom: Number  # zoom a search result is shown at (at least)
    search_results: StrictInt = Field(gt=0)  # names listed under the search box
    start_center: list[Degrees] = Field(min_length=2, max_length=2)  # [lat, lon]
    world_bounds: list[Annotated[list[Degrees], Field(min_length=2, max_length=2)]] = Field(
        min_length=2, max_length=2)  # [[south, west], [north, east]]
    fit_padding_px: StrictInt = Field(ge=0)  # around the data when the map is fitted to it
    narrow_px: StrictInt = Field(gt=0)  # below this width the panels start closed (phones)
    year_floor: StrictInt  # the year slider's low end reads "before <year_floor>"
    popup_top_n: StrictInt = Field(gt=0)  # partnerships listed in a world map popup (then the table)
    highlight: Color  # ring of the markers linked to the one hovered or focused
    dim_opacity: float = Field(ge=0, le=1)  # the other markers while one is highlighted
    list_width_px: StrictInt = Field(gt=0)  # the list beside the country and collectivité maps (below on phones)


CountryTable = dict[Text, Text]  # ISO2 -> name (a country matches by either)


class CountriesFr(_Section):
    plural: CountryTable = {}
    masculine: CountryTable = {}
    feminine: CountryTable = {}
    h_aspire: CountryTable = {}
    no_article: CountryTable = {}
    plural_first_words: list[Text] = []  # "Îles Marshall" -> les
    feminine_first_words: list[Text] = []  # "République du Congo" -> la


class CountriesEn(_Section):
    definite: CountryTable = {}
    definite_first_words: list[Text] = []  # "United ..." -> the
    definite_last_words: list[Text] = []  # "... Republic", "... Islands" -> the


class Countries(_Section):
    fr: CountriesFr = CountriesFr()
    en: CountriesEn = CountriesEn()


class Style(_Section):
    """A resolved style sheet (inheritance applied, palette references replaced)."""

    name: Text
    description: Text = ""
    extends: Text | None = None
    palette: dict[Text, Color] = {}
    fonts: Fonts
    blocks: Blocks
    pages: dict[Text, Page] = Field(min_length=1)
    basemap: Basemap
    symbols: Symbols
    themes: dict[Text, Theme] = Field(min_length=1)
    zone_intervention: Fill
    years: Years
    place_labels: PlaceLabels
    label_priority: LabelPriority
    dense: Dense
    links: Links
    choropleth: Choropleth
    proportional: Proportional
    scale_bar: ScaleBar
    north_arrow: NorthArrow
    legend: Legend
    inset_frame: InsetFrame
    layout: Layout
    zorder: ZOrder
    web: Web
    countries: Countries = Countries()
    labels: dict[Text, dict[Text, Text]]  # lang -> dotted key ("title.bilateral") -> template

    # ------------------------------------------------------------------ texts

    def text(self, key: str, lang: str = "fr", **fields: object) -> str:
        """The label `key` in `lang`, with `{placeholders}` filled from `fields`."""
        table = self.labels.get(lang)
        if table is None:
            raise StyleError(f"style '{self.name}' has no labels in '{lang}' (languages: {', '.join(self.labels)})")
        template = table.get(key)
        if template is None:
            hint = _did_you_mean(key, table)
            raise StyleError(f"style '{self.name}' has no label '{key}' in labels.{lang}{hint}")
        try:
            return template.format(**fields)
        except KeyError as exc:
            raise StyleError(f"label '{key}' ({lang}) needs a value for {{{exc.args[0]}}}") from None
        except (IndexError, ValueError) as exc:
            raise StyleError(f"label '{key}' ({lang}) cannot be formatted: {exc}") from None

    def has_text(self, key: str, lang: str = "fr") -> bool:
        return key in self.labels.get(lang, {})

    def theme_label(self, key: str, lang: str = "fr") -> str:
        theme = self.themes.get(key)
        if theme is None:
            raise StyleError(f"style '{self.name}' has no theme '{key}' (themes: {', '.join(self.themes)})")
        return getattr(theme.label, lang) if lang in LANGUAGES else theme.label.fr

    def theme_key(self, raw: str) -> str | None:
        """The theme a data value belongs to ("Éducation" -> "education_recherche"), or None.

        Matches the key, either label or an alias, ignoring case, accents and punctuation.
        """
        return self._theme_index.get(words_key(raw))

    def main_theme_color(self, themes: Sequence[str]) -> str | None:
        """Fill of a partner symbol, in print and on the web: the colour of its most frequent theme
        (ties go to the theme listed first in the style), None when no theme is known."""
        from collections import Counter

        keys = Counter(k for k in (self.theme_key(t) for t in themes) if k)
        if not keys:
            return None
        order = list(self.themes)
        return self.themes[min(keys, key=lambda k: (-keys[k], order.index(k)))].color

    @cached_property
    def _theme_index(self) -> dict[str, str]:
        """Normalised name -> theme key, built once per style (maps call theme_key for every row)."""
        index: dict[str, str] = {}
        for key, theme in self.themes.items():
            for name in (key, theme.label.fr, theme.label.en, *theme.aliases):
                index.setdefault(words_key(name), key)
        return index

    # ------------------------------------------------------------------ other look-ups

    def symbol(self, kind: str) -> Symbol:
        """The symbol of a collectivité type ("region", ..., "commune") or "partner"."""
        kind = str(kind)
        if kind not in Symbols.model_fields:
            raise StyleError(f"no symbol for '{kind}' (symbols: {', '.join(Symbols.model_fields)})")
        return getattr(self.symbols, kind)

    def page(self, name: str) -> Page:
        """A page format by name ("A4-landscape"), case-insensitive."""
        for key, page in self.pages.items():
            if key.lower() == name.lower():
                return page
        raise StyleError(f"unknown page format '{name}' (style '{self.name}' has: {', '.join(self.pages)})")

    def choropleth_colors(self, k: int | None = None) -> list[str]:
        """k colours from the choropleth palette, light to dark, spread over its whole range."""
        k = k or self.choropleth.k
        pal = self.choropleth.palette
        if k >= len(pal):
            return list(pal)
        if k == 1:
            return [pal[-1]]
        return [pal[round(i * (len(pal) - 1) / (k - 1))] for i in range(k)]

    def font_family(self) -> list[str]:
        """The font chain filtered to installed fonts, always ending with DejaVu Sans."""
        installed = _installed_fonts(tuple(self.fonts.family))
        chain = [f for f in self.fonts.family if f in installed and f != ALWAYS_AVAILABLE_FONT]
        return [*chain, ALWAYS_AVAILABLE_FONT]

    def css_font_family(self) -> str:
        """The whole chain as a CSS font-family (the browser picks what it has)."""
        names = [f"'{f}'" if " " in f else f for f in self.fonts.family]
        return ", ".join([*names, self.fonts.generic])

    # ------------------------------------------------------------------ country phrases

    def country_phrase(self, name: str, iso2: str, lang: str = "fr", *, form: str = "article") -> str:
        """How a title names a country: "le Japon", "l'Allemagne", "les États-Unis", "the Philippines".

        `form="in"` gives the locative: "au Japon", "en Pologne", "aux États-Unis", "in Japan".
        Rules are in code, the exceptions are data in `countries` of the style.
        """
        if form not in ("article", "in"):
            raise StyleError(f"unknown country phrase form '{form}' (expected 'article' or 'in')")
        name = name.strip()
        if lang == "fr":
            return _phrase_fr(self.countries.fr, name, iso2, form)
        if lang == "en":
            phrase = _phrase_en(self.countries.en, name, iso2)
            return f"in {phrase}" if form == "in" else phrase
        raise StyleError(f"no country phrase rules for language '{lang}' (languages: fr, en)")

    # ------------------------------------------------------------------ serialisation

    def resolved_dict(self) -> dict[str, Any]:
        """The resolved style as plain data, label tables nested again as in the YAML."""
        data = self.model_dump(mode="json")
        data["labels"] = {lang: _unflatten(table) for lang, table in self.labels.items()}
        return data

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.resolved_dict(), allow_unicode=True, sort_keys=False, width=110)

    def fingerprint(self) -> str:
        """sha256 of everything that changes the maps (not the name or description)."""
        data = self.resolved_dict()
        for key in ("name", "description", "extends"):
            data.pop(key, None)
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()


# --------------------------------------------------------------------------- loading


def styles_dir() -> Path:
    """Where named styles live: `$ATLASMAPS_STYLES_DIR`, else the installed or checked-out `styles/`."""
    from atlasmaps.shipped import shipped_dir

    return shipped_dir("styles", STYLES_ENV)


def available_styles() -> list[str]:
    """Names of the styles in `styles_dir()`."""
    folder = styles_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_style(name_or_path: str | Path | None = None) -> Style:
    """Load, merge (`extends`), resolve palette references and validate a style sheet.

    None is the default style; a bare name ("quai-dorsay") is looked up in `styles_dir()`;
    a Path, or a string with a slash or a .yaml/.yml suffix, is a user file.
    Raises StyleError (StyleValidationError with every problem when the content is invalid).
    """
    path = _locate(DEFAULT_STYLE if name_or_path is None else name_or_path, base=None)
    raw = _read_merged(path, chain=[path.resolve()])
    where = _display(path)
    problems: list[str] = []
    data = _resolve_palette(raw, where, problems)
    data["name"] = path.stem
    labels = data.get("labels")
    if isinstance(labels, dict):
        data["labels"] = {
            lang: _flatten(table) if isinstance(table, dict) else table for lang, table in labels.items()
        }
    problems += [f"{where}: {p}" for p in _label_checks(data.get("labels"))]
    try:
        style = Style.model_validate(data)
    except ValidationError as exc:
        schema = [
            f"{where}: {_format_error(err)}"
            for err in exc.errors()
            if not (err["type"] == "colour" and str(err.get("input", "")).startswith("@"))  # reported above
        ]
        problems = schema + problems
        raise StyleValidationError(problems) from None
    problems += [f"{where}: {p}" for p in _cross_checks(style)]
    if problems:
        raise StyleValidationError(problems)
    return style


def style_parent(name_or_path: str | Path) -> str | None:
    """The `extends:` of a style file without loading its parents (for `styles list`)."""
    raw = _read_raw(_locate(name_or_path, base=None))
    parent = raw.get("extends")
    return parent if isinstance(parent, str) else None


def looks_like_path(ref: str | Path) -> bool:
    if isinstance(ref, Path):
        return True
    return "/" in ref or "\\" in ref or ref.endswith((".yaml", ".yml"))


def _locate(ref: str | Path, base: Path | None) -> Path:
    """The file of a style reference; relative paths in `extends` are relative to the child."""
    if looks_like_path(ref):
        path = Path(ref).expanduser()
        if base is not None and not path.is_absolute():
            path = base / path
        if not path.is_file():
            raise StyleError(f"style file not found: {path}")
        return path
    for suffix in (".yaml", ".yml"):
        path = styles_dir() / f"{ref}{suffix}"
        if path.is_file():
            return path
    raise StyleError(f"unknown style '{ref}' (available: {', '.join(available_styles()) or 'none'})")


def _display(path: Path) -> str:
    return str(path)


def _read_raw(path: Path) -> dict[str, Any]:
    from atlasmaps.yamlsafe import YamlLimitError, load_file

    try:
        data = load_file(path, "style")
    except YamlLimitError as exc:
        raise StyleError(str(exc)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        # Never quote the content: the path may name any readable file.
        raise StyleError(f"{_display(path)}: expected a mapping of style sections, got {_kind(data)}")
    return data


def _read_merged(path: Path, chain: list[Path]) -> dict[str, Any]:
    """The file's content merged over its ancestors'; `chain` detects cycles."""
    raw = _read_raw(path)
    parent_ref = raw.get("extends")
    if parent_ref is None:
        return raw
    if not isinstance(parent_ref, str) or not parent_ref.strip():
        raise StyleError(f"{_display(path)}: extends: expected a style name or path, got {show_value(parent_ref)}")
    try:
        parent = _locate(parent_ref, base=path.parent)
    except StyleError:
        available = ", ".join(available_styles()) or "none"
        raise StyleError(
            f"{_display(path)}: extends '{parent_ref}': no such style (available: {available})"
        ) from None
    if parent.resolve() in chain:
        loop = " → ".join(p.name for p in [*chain, parent.resolve()])
        raise StyleError(f"{_display(path)}: cycle in extends: {loop}")
    merged = deep_merge(_read_merged(parent, [*chain, parent.resolve()]), raw)
    merged["extends"] = parent_ref
    return merged


def deep_merge(parent: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """Child overrides parent key by key; nested mappings merge, lists and scalars replace."""
    out = dict(parent)
    for key, value in child.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _resolve_palette(raw: dict[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    """Replace "@name" colour references by the palette's hex value."""
    palette = raw.get("palette") or {}
    if not isinstance(palette, dict):
        return raw  # pydantic reports the type

    def walk(node: Any, path: str) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, f"{path}.{k}" if path else str(k)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, f"{path}[{i}]") for i, v in enumerate(node)]
        if isinstance(node, str) and node.startswith("@"):
            ref = node[1:]
            value = palette.get(ref)
            if not isinstance(value, str) or value.startswith("@"):
                hint = _did_you_mean(ref, palette)
                problems.append(f"{where}: {path}: unknown palette colour '{node}'{hint}")
                return node
            return value
        return node

    return {
        k: v if k in ("labels", "countries", "palette", "description") else walk(v, k) for k, v in raw.items()
    }


def _label_checks(labels: Any) -> list[str]:
    """Label tables alike in every language: same keys, same placeholders, valid templates.

    Runs on the raw (flattened) tables so these problems are reported with the schema's.
    """
    if not isinstance(labels, dict):
        return []  # the schema reports it
    tables = {lang: t for lang, t in labels.items() if isinstance(t, dict)}
    problems = [
        f"labels.{lang}: missing (every label must exist in {' and '.join(LANGUAGES)})"
        for lang in LANGUAGES
        if lang not in labels
    ]
    langs = [lang for lang in LANGUAGES if lang in tables] + [lang for lang in tables if lang not in LANGUAGES]
    first_seen: dict[str, str] = {}
    for lang in langs:
        for key in tables[lang]:
            first_seen.setdefault(key, lang)
    for key, first_lang in first_seen.items():
        fields: dict[str, frozenset[str]] = {}
        for lang in langs:
            if key not in tables[lang]:
                problems.append(f"labels.{lang}.{key}: missing label (present in labels.{first_lang})")
                continue
            template = tables[lang][key]
            if not isinstance(template, str):
                continue  # the schema reports it
            try:
                names = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
            except ValueError as exc:
                problems.append(f"labels.{lang}.{key}: invalid placeholder in {show_value(template)} ({exc})")
                continue
            # `{date.year}`, `{count[0]}` or `{}` would reach into the value at render time: only plain names.
            odd = [n for n in names if not n.isidentifier()]
            if odd:
                problems.append(f"labels.{lang}.{key}: placeholder {{{odd[0]}}} is not a plain name "
                                f"(write {{{odd[0].split('.')[0].split('[')[0] or 'name'}}})")
                continue
            fields[lang] = frozenset(names)
        if len(set(fields.values())) > 1:
            shown = "; ".join(
                f"{lang} {' '.join('{' + f + '}' for f in sorted(v)) or 'none'}" for lang, v in fields.items()
            )
            problems.append(f"labels.{key}: placeholders differ between languages ({shown})")
    return problems


def _cross_checks(style: Style) -> list[str]:
    """What the schema alone cannot say about a valid style."""
    problems: list[str] = []
    ch = style.choropleth
    if ch.k > len(ch.palette):
        problems.append(f"choropleth.k: {ch.k} classes but choropleth.palette has {len(ch.palette)} colours")
    return problems


# --------------------------------------------------------------------------- error messages


def _kind(value: Any) -> str:
    """What a YAML value is, without its content."""
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return show_value(value)


def show_value(value: Any, limit: int = 40) -> str:
    """A value for an error message, cut short: messages never echo a file's content at length."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + "…"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)


def yaml_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _format_error(err: Mapping[str, Any]) -> str:
    """One pydantic error as "yaml.path: what was expected, got what"."""
    loc = tuple(err["loc"])
    path = yaml_path(loc)
    kind = err["type"]
    got = show_value(err.get("input"))
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return f"{path}: required key missing"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        hint = _did_you_mean(str(loc[-1]), allowed) if allowed else ""
        return f"{path}: unknown key{hint}"
    if kind.startswith(("float_", "int_")) or kind in ("int_from_float",):
        what = "a whole number" if kind.startswith("int") else "a number"
        return f"{path}: expected {what}, got {got}"
    if kind.startswith("bool_"):
        return f"{path}: expected true or false, got {got}"
    if kind.startswith("string_"):
        return f"{path}: expected text, got {got}"
    if kind == "list_type":
        return f"{path}: expected a list, got {got}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{path}: expected a mapping, got {got}"
    if kind == "literal_error":
        return f"{path}: expected {ctx.get('expected')}, got {got}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}[kind]
        bound = next(iter(ctx.values()), "?")
        bound = f"{bound:g}" if isinstance(bound, float) else bound
        return f"{path}: expected a number {sign} {bound}, got {got}"
    if kind == "too_short":
        return f"{path}: expected at least {ctx.get('min_length')} items, got {ctx.get('actual_length')}"
    if kind == "too_long":
        return f"{path}: expected at most {ctx.get('max_length')} items, got {ctx.get('actual_length')}"
    if kind == "colour":
        return f"{path}: {err['msg']}"
    return f"{path}: {err['msg']}"


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys the model accepts at `loc` (for "did you mean" hints)."""
    node: Any = Style
    for part in loc:
        node = _unwrap(node)
        if isinstance(node, type) and issubclass(node, BaseModel):
            field = node.model_fields.get(str(part))
            if field is None:
                return []
            node = field.annotation
        elif typing.get_origin(node) in (dict, list):
            node = typing.get_args(node)[-1]
        else:
            return []
    node = _unwrap(node)
    if isinstance(node, type) and issubclass(node, BaseModel):
        return [k for k in node.model_fields if k != "name"]
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and `X | None` to the underlying type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0]
        else:
            return annotation


def _did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


# --------------------------------------------------------------------------- helpers


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested label tables to dotted keys: {"title": {"world": ...}} -> {"title.world": ...}."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(_flatten(value, dotted + "."))
        else:
            out[dotted] = value
    return out


def _unflatten(table: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for dotted, value in table.items():
        node = out
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def _in_table(table: Mapping[str, str], name: str, iso2: str, *, by_code: bool = True) -> bool:
    if any(words_key(v) == words_key(name) for v in table.values()):
        return True
    return by_code and iso2.upper() in {k.upper() for k in table}


def _first_word(name: str) -> str:
    words = re.split(r"[\s\-]+", name)
    return words_key(words[0]) if words else ""


def _last_word(name: str) -> str:
    words = re.split(r"[\s\-]+", name)
    return words_key(words[-1]) if words else ""


def _phrase_fr(g: CountriesFr, name: str, iso2: str, form: str) -> str:
    tables = {"plural": g.plural, "no_article": g.no_article, "masculine": g.masculine, "feminine": g.feminine}
    # A match by name wins over a match by code (names like "Congo" / "République du Congo" vary).
    kind = next((k for k, t in tables.items() if _in_table(t, name, iso2, by_code=False)), None)
    if kind is None:
        kind = next((k for k, t in tables.items() if _in_table(t, name, iso2)), None)
    if kind is None and _first_word(name) in {words_key(w) for w in g.plural_first_words}:
        kind = "plural"
    if kind is None and _first_word(name) in {words_key(w) for w in g.feminine_first_words}:
        kind = "feminine"
    if kind == "plural":
        return f"{'aux' if form == 'in' else 'les'} {name}"
    if kind == "no_article":
        return f"à {name}" if form == "in" else name
    initial = fold(name[:1])
    elide = initial in "aeiou" or (initial == "h" and not _in_table(g.h_aspire, name, iso2))
    feminine = kind == "feminine" or (kind != "masculine" and fold(name).endswith("e"))
    if form == "in":
        return f"en {name}" if elide or feminine else f"au {name}"
    if elide:
        return f"l'{name}"
    return f"{'la' if feminine else 'le'} {name}"


def _phrase_en(g: CountriesEn, name: str, iso2: str) -> str:
    if name.lower().startswith("the "):
        return "the " + name[4:]
    definite = (
        _in_table(g.definite, name, iso2, by_code=False)
        or _first_word(name) in {words_key(w) for w in g.definite_first_words}
        or _last_word(name) in {words_key(w) for w in g.definite_last_words}
        or _in_table(g.definite, name, iso2)
    )
    return f"the {name}" if definite else name


def _installed_fonts(wanted: tuple[str, ...] = ()) -> frozenset[str]:
    """Font family names matplotlib can use; imported lazily (matplotlib is heavy).

    matplotlib's font cache may predate fonts installed later (e.g. Marianne): wanted
    families it does not know are looked for among the system fonts and registered.
    """
    from matplotlib import font_manager

    known = _known_fonts(font_manager.fontManager)
    missing = [w for w in wanted if w not in known and w not in _FONT_SEARCHED]
    if missing:
        _FONT_SEARCHED.update(missing)
        prefixes = tuple(w.replace(" ", "").lower() for w in missing)
        for file in font_manager.findSystemFonts():
            if Path(file).name.replace(" ", "").lower().startswith(prefixes):
                try:
                    font_manager.fontManager.addfont(file)
                except (OSError, RuntimeError, ValueError):
                    continue  # unreadable font file: just not available
        known = _known_fonts(font_manager.fontManager)
    return known


def _known_fonts(manager: Any) -> frozenset[str]:  # matplotlib's FontManager
    """The family names of matplotlib's font list, read again only when the list changes: every measured
    word asks for the font chain (an annex of 600 partners measures some 40,000)."""
    key = (id(manager), len(manager.ttflist))
    if key not in _KNOWN_FONTS:
        _KNOWN_FONTS.clear()
        _KNOWN_FONTS[key] = frozenset(f.name for f in manager.ttflist)
    return _KNOWN_FONTS[key]


_FONT_SEARCHED: set[str] = set()
_KNOWN_FONTS: dict[tuple[int, int], frozenset[str]] = {}

