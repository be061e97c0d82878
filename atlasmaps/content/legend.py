"""Legend sections, shared by print and web: the same inputs give the same legend texts on both."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

from atlasmaps.content.types import LegendEntry, LegendSection

if TYPE_CHECKING:
    from atlasmaps.content.classes import Classes
    from atlasmaps.model import CollectiviteType
    from atlasmaps.style import Style


def theme_key(style: Style, raw: str) -> str:
    """The style's theme of a data value: unknown values fall in `autre` when the style has it,
    else keep their own text as key (the web filters by it; the legend leaves it out)."""
    key = style.theme_key(raw)
    if key is None and "autre" in style.themes:
        key = "autre"
    return key or raw


def theme_entries(style: Style, lang: str, raws: Iterable[str]) -> tuple[LegendEntry, ...]:
    """One entry per theme present, in the style's order, with its colour."""
    keys = {theme_key(style, r) for r in raws if r}
    return tuple(LegendEntry(f"theme-{k}", style.theme_label(k, lang), "theme", color=t.color)
                 for k, t in style.themes.items() if k in keys)


def point_legend(style: Style, lang: str, kinds: Sequence[CollectiviteType], *, zone: bool, partner: bool,
                 years: bool, themes: Iterable[str]) -> list[LegendSection]:
    """Legend of the bilateral and country maps: French types, the cooperation, the themes."""
    t = lambda key: style.text(key, lang)  # noqa: E731
    out = []
    if kinds:
        out.append(LegendSection("french", t("legend.french_title"), tuple(
            LegendEntry(k.value, t(f"legend.type.{k.value}"), "type") for k in kinds)))
    coop = []
    if zone:
        coop.append(LegendEntry("zone", t("legend.zone"), "zone"))
    if partner:
        coop.append(LegendEntry("partner", t("legend.partner"), "partner"))
    if years:
        coop.append(LegendEntry("year", t("legend.year"), "year"))
    if coop:
        out.append(LegendSection("cooperation", t("legend.cooperation_title"), tuple(coop)))
    entries = theme_entries(style, lang, themes)
    if entries:
        out.append(LegendSection("themes", t("legend.themes_title"), entries))
    return out


def class_legend(style: Style, lang: str, classes: Classes, no_data: str, france: bool) -> list[LegendSection]:
    """Legend of a choropleth: one entry per class, then "no project" (and France on the world map)."""
    entries = [LegendEntry(f"class-{i}", label, "class", color=colour)
               for i, (label, colour) in enumerate(zip(classes.labels, classes.colours))]
    entries.append(LegendEntry("no-data", style.text("legend.no_data", lang), "no_data", color=no_data))
    if france:
        entries.append(LegendEntry("france", style.text("legend.france", lang), "france",
                                   color=style.choropleth.france))
    return [LegendSection("classes", style.text("legend.classes_title", lang), tuple(entries))]


def circle_legend(style: Style, lang: str, vmax: int) -> list[LegendSection]:
    """Legend of proportional circles: the largest count, about a quarter and a sixteenth of it."""
    from atlasmaps.content.text import counted

    values = sorted({vmax, max(1, round(vmax / 4)), max(1, round(vmax / 16))}, reverse=True)
    return [LegendSection("circles", style.text("legend.proportional_title", lang), tuple(
        LegendEntry(f"circle-{v}", counted(style, "legend.circle", v, lang, value=v), "circle", value=v)
        for v in values))]


def aggregate_legend(style: Style, lang: str, vmax: int, france: bool, partner: bool) -> LegendSection:
    """The section saying a panel is aggregated (issue 13): circles per which unit, what they
    count (the largest count, about a quarter and a sixteenth of it) and which places stay named."""
    from atlasmaps.content.text import counted

    units = style.text(f"legend.aggregate_units_{'both' if france and partner else 'france' if france else 'partner'}",
                       lang)
    values = sorted({vmax, max(1, round(vmax / 4)), max(1, round(vmax / 16))}, reverse=True)
    entries = [LegendEntry("aggregate-mode", style.text("legend.aggregate_mode", lang, units=units), "none")]
    entries += [LegendEntry(f"aggregate-{v}", counted(style, "legend.aggregate_circle", v, lang, value=v), "aggregate",
                            value=v) for v in values]
    entries.append(LegendEntry("aggregate-named", style.text("legend.aggregate_named", lang,
                                                             n=style.dense.aggregate_labels), "place"))
    return LegendSection("aggregate", style.text("legend.aggregate_title", lang), tuple(entries))


def callout_legend(style: Style, lang: str, callouts) -> LegendSection:
    """The key of the numbered places (content.dense: a cluster that got no inset), in number order,
    as one running text (a key of twenty places would not fit a legend column line by line)."""
    key = key_text((n, name) for _, n, name in sorted(callouts, key=lambda c: c[1]))
    return LegendSection("callouts", style.text("legend.callouts_title", lang), (LegendEntry("callouts", key, "none"),))


#: Between two places of the key of numbered places.
KEY_SEPARATOR = " · "


def key_text(items) -> str:
    """The key's running text from (number, name) pairs: "1 Gapennes · 2 Proville"."""
    return KEY_SEPARATOR.join(f"{n} {name}" for n, name in items)


def key_items(text: str) -> list[tuple[int, str]]:
    """The (number, name) pairs of a key's running text (`key_text` read back)."""
    items = []
    for item in text.split(KEY_SEPARATOR) if text else ():
        number, name = item.split(" ", 1)
        items.append((int(number), name))
    return items


def without_aggregated(sections: Sequence[LegendSection], french: bool, partner: bool,
                       french_symbols_left: bool) -> list[LegendSection]:
    """The point legend once panels aggregate: entries of symbols no longer drawn leave it (the
    themes colour partner symbols, gone on an aggregated partner panel; French point types stay
    while an overseas inset still draws them)."""
    gone = set()
    if partner:
        gone |= {"partner"}
    if french and not french_symbols_left:
        gone |= {"commune", "groupement"}
    out = []
    for section in sections:
        if partner and section.key == "themes":
            continue
        entries = tuple(e for e in section.entries if e.key not in gone)
        if entries:
            out.append(LegendSection(section.key, section.title, entries))
    return out
