"""Style sheets: validation messages, inheritance, label tables, country phrases, commands."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from atlasmaps.cli import cli
from atlasmaps.errors import StyleError
from atlasmaps.style import Style, StyleValidationError, load_style


STYLES = Path(__file__).resolve().parents[1] / "styles"


@pytest.fixture(scope="module")
def default() -> Style:
    return load_style()


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- validate: errors


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("symbols:\n  commune: {size_pt: big}\n", "symbols.commune.size_pt: expected a number, got 'big'"),
        ("scale_bar: {show: 3}\n", "scale_bar.show: expected true or false, got 3"),
        ("symbols:\n  commune: {sise_pt: 4}\n", "symbols.commune.sise_pt: unknown key (did you mean 'size_pt'?)"),
        ("colours: {}\n", "colours: unknown key"),
        (
            "symbols:\n  region: {fill: '#12345'}\n",
            "symbols.region.fill: invalid colour '#12345' (expected #RGB, #RRGGBB or #RRGGBBAA)",
        ),
        (
            "basemap: {sea: bleu}\n",
            "basemap.sea: invalid colour 'bleu' (expected #RGB, #RRGGBB or #RRGGBBAA)",
        ),
        (
            "basemap: {sea: '@bleu_frace'}\n",
            "basemap.sea: unknown palette colour '@bleu_frace' (did you mean 'bleu_france'?)",
        ),
        (
            "labels:\n  fr: {legend: {nouveau: Nouveau}}\n",
            "labels.en.legend.nouveau: missing label (present in labels.fr)",
        ),
        (
            "labels:\n  en: {credits: 'Made by {who}'}\n",
            "labels.credits: placeholders differ between languages (fr {year}; en {who})",
        ),
        (
            "themes:\n  sport: {color: '#123456', label: {fr: Sport}}\n",
            "themes.sport.label.en: required key missing",
        ),
        ("choropleth: {k: 8}\n", "choropleth.k: 8 classes but choropleth.palette has 6 colours"),
        (
            "scale_bar: {position: middle}\n",
            "scale_bar.position: expected 'lower left', 'lower right', 'upper left' or 'upper right', got 'middle'",
        ),
    ],
)
def test_validate_reports_the_yaml_path_and_exits_1(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, "mine.yaml", "extends: quai-dorsay\n" + body)
    result = run("styles", "validate", str(path))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}: {message}\n"
    assert result.stdout == ""


def test_validate_lists_every_problem_one_line_each(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "mine.yaml",
        "extends: quai-dorsay\nsymbols:\n  commune: {size_pt: big, fill: red}\nlabels:\n  en: {only_en: x}\n",
    )
    result = run("styles", "validate", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {path}: symbols.commune.size_pt: expected a number, got 'big'",
        f"Error: {path}: symbols.commune.fill: invalid colour 'red' (expected #RGB, #RRGGBB or #RRGGBBAA)",
        f"Error: {path}: labels.fr.only_en: missing label (present in labels.en)",
    ]


def test_missing_language_table_is_an_error(tmp_path: Path) -> None:
    text = (STYLES / "quai-dorsay.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    del data["labels"]["en"]
    path = write(tmp_path, "no-en.yaml", yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(StyleValidationError) as info:
        load_style(path)
    assert info.value.problems == [f"{path}: labels.en: missing (every label must exist in fr and en)"]


def test_missing_parent(tmp_path: Path) -> None:
    path = write(tmp_path, "child.yaml", "extends: nope\n")
    result = run("styles", "validate", str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: extends 'nope': no such style (available: quai-dorsay, quai-dorsay-gris)\n"
    )


def test_cycle_in_extends(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", "extends: b.yaml\n")
    write(tmp_path, "b.yaml", "extends: ./c.yaml\n")
    write(tmp_path, "c.yaml", "extends: a.yaml\n")
    result = run("styles", "validate", str(a))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'c.yaml'}: cycle in extends: a.yaml → b.yaml → c.yaml → a.yaml\n"


def test_self_extension_is_a_cycle(tmp_path: Path) -> None:
    path = write(tmp_path, "me.yaml", "extends: me.yaml\n")
    with pytest.raises(StyleError, match=r"cycle in extends: me\.yaml → me\.yaml$"):
        load_style(path)


def test_invalid_yaml_is_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", "extends: quai-dorsay\nsymbols: [\n")
    result = run("styles", "validate", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}: invalid YAML at line 3, column 1: ")
    assert result.stderr.count("\n") == 1


def test_unknown_style_name() -> None:
    with pytest.raises(StyleError) as info:
        load_style("bleu-blanc-rouge")
    assert str(info.value) == "unknown style 'bleu-blanc-rouge' (available: quai-dorsay, quai-dorsay-gris)"


def test_validate_ok(tmp_path: Path) -> None:
    path = write(tmp_path, "mine.yaml", "extends: quai-dorsay\n")
    result = run("styles", "validate", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"ok: {path} is a valid style (")
    assert result.stdout.rstrip().endswith("extends quai-dorsay)")


def test_shipped_styles_are_valid() -> None:
    for name in ("quai-dorsay", "quai-dorsay-gris"):
        result = run("styles", "validate", str(STYLES / f"{name}.yaml"))
        assert result.exit_code == 0, result.output


def test_cli_main_turns_style_errors_into_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from atlasmaps.cli import main

    path = write(tmp_path, "mine.yaml", "extends: quai-dorsay\nsymbols:\n  commune: {size_pt: big}\n")
    with pytest.raises(SystemExit) as info:
        main(["styles", "show", str(path)])
    assert info.value.code == 1
    assert capsys.readouterr().err == f"Error: {path}: symbols.commune.size_pt: expected a number, got 'big'\n"


# --------------------------------------------------------------------------- inheritance


def test_user_style_changes_one_colour(tmp_path: Path, default: Style) -> None:
    path = write(tmp_path, "vert.yaml", "extends: quai-dorsay\nsymbols:\n  commune: {fill: '#00aa55'}\n")
    mine = load_style(path)
    assert mine.symbols.commune.fill == "#00AA55"
    assert mine.extends == "quai-dorsay"
    ours, theirs = mine.resolved_dict(), default.resolved_dict()
    assert ours["symbols"]["commune"].pop("fill") == "#00AA55"
    assert theirs["symbols"]["commune"].pop("fill") == "#E1000F"
    for key in ("name", "extends"):
        ours.pop(key), theirs.pop(key)
    assert ours == theirs
    assert mine.fingerprint() != default.fingerprint()


def test_palette_change_follows_every_reference(tmp_path: Path, default: Style) -> None:
    path = write(tmp_path, "p.yaml", "extends: quai-dorsay\npalette: {bleu_france: '#123456'}\n")
    mine = load_style(path)
    assert default.blocks.title.color == "#000091"
    assert mine.blocks.title.color == mine.symbols.region.fill == mine.links.color == "#123456"
    assert mine.symbols.commune.fill == default.symbols.commune.fill


def test_three_level_chain_with_relative_parent(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", "extends: quai-dorsay\nyears: {color: '#111111', size_pt: 9}\n")
    sub = tmp_path / "sub"
    sub.mkdir()
    path = write(sub, "child.yaml", "extends: ../base.yaml\nyears: {size_pt: 7}\n")
    style = load_style(path)
    assert (style.years.color, style.years.size_pt, style.years.show) == ("#111111", 7, True)


def test_greyscale_variant_overrides_colours_only(default: Style) -> None:
    grey = load_style("quai-dorsay-gris")
    assert grey.extends == "quai-dorsay"
    assert grey.symbols.region.fill == "#161616"
    assert grey.symbols.region.size_pt == default.symbols.region.size_pt
    assert grey.labels == default.labels
    assert grey.pages == default.pages
    for color in [*grey.choropleth.palette, *(t.color for t in grey.themes.values())]:
        r, g, b = color[1:3], color[3:5], color[5:7]
        assert r == g == b, color


def test_styles_dir_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "maison.yaml", "extends: ../nowhere.yaml\n")
    monkeypatch.setenv("ATLASMAPS_STYLES_DIR", str(tmp_path))
    with pytest.raises(StyleError, match="maison.yaml: extends '../nowhere.yaml': no such style"):
        load_style("maison")


def test_fingerprint_is_stable(default: Style) -> None:
    assert load_style("quai-dorsay").fingerprint() == default.fingerprint()
    assert len(default.fingerprint()) == 64


# --------------------------------------------------------------------------- texts


def test_text_formats_labels(default: Style) -> None:
    assert default.text("credits", "fr", year=2025) == "Réalisation : MEAE/DAECT, 2025"
    assert default.text("credits", "en", year=2025) == "Produced by MEAE/DAECT, 2025"
    assert default.text("legend.class", "fr", low=1, high=5) == "1 – 5 projets"
    assert default.text("legend.type.region", "fr") == "Conseils régionaux"
    assert default.text("web.show_table", "fr") == "Afficher le tableau des partenariats"
    assert default.text("source", "fr", date="1er mars 2025") == (
        "Source : Atlas français de la coopération décentralisée (MEAE/DAECT), données du 1er mars 2025"
    )


def test_text_errors(default: Style) -> None:
    with pytest.raises(StyleError) as info:
        default.text("legend.zonee", "fr")
    assert str(info.value) == (
        "style 'quai-dorsay' has no label 'legend.zonee' in labels.fr (did you mean 'legend.zone'?)"
    )
    with pytest.raises(StyleError) as info:
        default.text("credits", "fr")
    assert str(info.value) == "label 'credits' (fr) needs a value for {year}"
    with pytest.raises(StyleError) as info:
        default.text("credits", "de", year=1)
    assert str(info.value) == "style 'quai-dorsay' has no labels in 'de' (languages: fr, en)"


def test_themes(default: Style) -> None:
    assert default.theme_key("Éducation") == "education_recherche"
    assert default.theme_key("EAU ET ASSAINISSEMENT") == "urbanisme_eau"
    assert default.theme_key("Culture, heritage") == "culture_patrimoine"
    assert default.theme_key("astrologie") is None
    assert default.theme_label("sante_social", "en") == "Health, social affairs"


def test_lookups(default: Style) -> None:
    assert default.page("a4-landscape").width_mm == 297
    with pytest.raises(StyleError, match=r"unknown page format 'A5' \(style 'quai-dorsay' has: A4-landscape"):
        default.page("A5")
    assert default.symbol("groupement").web_shape == "triangle"
    assert default.choropleth_colors(6) == default.choropleth.palette
    five = default.choropleth_colors()
    assert len(five) == 5 and five[0] == "#E3E3FD" and five[-1] == "#000091"


def test_font_family_ends_with_dejavu(default: Style) -> None:
    chain = default.font_family()
    assert chain[-1] == "DejaVu Sans"
    assert set(chain) <= {*default.fonts.family}
    assert default.css_font_family().endswith("'DejaVu Sans', sans-serif")


@pytest.mark.parametrize(
    ("name", "iso2", "phrase"),
    [
        ("Japon", "JP", "le Japon"),
        ("Bénin", "BJ", "le Bénin"),
        ("Allemagne", "DE", "l'Allemagne"),
        ("Pologne", "PL", "la Pologne"),
        ("États-Unis", "US", "les États-Unis"),
        ("Mexique", "MX", "le Mexique"),
        ("Cambodge", "KH", "le Cambodge"),
        ("Comores", "KM", "les Comores"),
        ("Italie", "IT", "l'Italie"),
        ("Sénégal", "SN", "le Sénégal"),
        ("Hongrie", "HU", "la Hongrie"),
        ("Honduras", "HN", "le Honduras"),
        ("Madagascar", "MG", "Madagascar"),
        ("Équateur", "EC", "l'Équateur"),
        ("Corée du Sud", "KR", "la Corée du Sud"),
        ("République du Congo", "CG", "la République du Congo"),
        ("Congo", "CG", "le Congo"),
    ],
)
def test_country_phrase_fr(default: Style, name: str, iso2: str, phrase: str) -> None:
    assert default.country_phrase(name, iso2, "fr") == phrase


def test_country_phrase_forms(default: Style) -> None:
    assert default.country_phrase("Japon", "JP", "fr", form="in") == "au Japon"
    assert default.country_phrase("Pologne", "PL", "fr", form="in") == "en Pologne"
    assert default.country_phrase("Iran", "IR", "fr", form="in") == "en Iran"
    assert default.country_phrase("États-Unis", "US", "fr", form="in") == "aux États-Unis"
    assert default.country_phrase("Japan", "JP", "en") == "Japan"
    assert default.country_phrase("United States", "US", "en") == "the United States"
    assert default.country_phrase("Philippines", "PH", "en") == "the Philippines"
    assert default.country_phrase("Czech Republic", "CZ", "en") == "the Czech Republic"
    assert default.country_phrase("Philippines", "PH", "en", form="in") == "in the Philippines"
    # the countries layer's own names (CLDR), as the maps use them
    assert default.country_phrase("Territoires palestiniens", "PS", "fr") == "les Territoires palestiniens"
    assert default.country_phrase("Territoires palestiniens", "PS", "fr", form="in") == "aux Territoires palestiniens"
    assert default.country_phrase("Palestinian Territories", "PS", "en") == "the Palestinian Territories"
    title = default.text("title.bilateral", "fr", partner_phrase=default.country_phrase("Bénin", "BJ", "fr"))
    assert title == "Les coopérations décentralisées entre la France et le Bénin"


def test_country_exceptions_are_style_data(tmp_path: Path) -> None:
    path = write(tmp_path, "g.yaml", "extends: quai-dorsay\ncountries:\n  fr:\n    masculine: {JP: Japone}\n")
    assert load_style(path).country_phrase("Japone", "JP", "fr") == "le Japone"
    assert load_style().country_phrase("Japone", "JP", "fr") == "la Japone"


# --------------------------------------------------------------------------- list / show


def test_show_prints_the_resolved_style(default: Style) -> None:
    result = run("styles", "show", "quai-dorsay-gris")
    assert result.exit_code == 0, result.output
    shown = yaml.safe_load(result.stdout)
    assert shown["name"] == "quai-dorsay-gris"
    assert shown["extends"] == "quai-dorsay"
    assert shown["symbols"]["region"]["fill"] == "#161616"  # "@bleu_france" resolved through the palette
    assert shown["symbols"]["region"]["marker"] == "s"  # inherited
    assert shown["labels"]["fr"]["legend"]["type"]["commune"] == "Villes"
    assert shown["labels"] == default.resolved_dict()["labels"]


def test_show_round_trips(tmp_path: Path, default: Style) -> None:
    result = run("styles", "show", "quai-dorsay")
    data = yaml.safe_load(result.stdout)
    data.pop("name"), data.pop("extends")
    path = write(tmp_path, "copy.yaml", yaml.safe_dump(data, allow_unicode=True))
    assert load_style(path).fingerprint() == default.fingerprint()


def test_list() -> None:
    result = run("styles", "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "EXTENDS", "DESCRIPTION"]
    assert lines[1].split()[:2] == ["quai-dorsay", "-"]
    assert lines[2].split()[:3] == ["quai-dorsay-gris", "quai-dorsay", "Variante"]


def test_help_has_examples() -> None:
    for sub in ("list", "show", "validate"):
        result = run("styles", sub, "--help")
        assert result.exit_code == 0
        assert f"atlasmaps styles {sub}" in result.stdout


# --------------------------------------------------------------------------- every key is read


#: Keys read outside the renderers, and where (checked to still appear there).
READ_ELSEWHERE = {
    ("Style", "name"): ("atlasmaps/style.py", "self.name"),
    ("Style", "description"): ("atlasmaps/commands/styles.py", "style.description"),
    ("Style", "extends"): ("atlasmaps/commands/styles.py", "style.extends"),
    ("Style", "palette"): ("atlasmaps/style.py", '"palette"'),
    ("Links", "weight_pt"): ("atlasmaps/export/qml.py", "links.weight_pt"),  # the GeoPackage's QGIS style
}


def _declared_keys() -> set[tuple[str, str]]:
    """(section class, key) of every key a style sheet may declare."""
    import typing

    from atlasmaps import style as S

    out: set[tuple[str, str]] = set()

    def sections(annotation) -> list[type]:
        found = [annotation] if isinstance(annotation, type) and issubclass(annotation, S._Section) else []
        for arg in typing.get_args(annotation):
            found.extend(sections(arg))
        return found

    def walk(cls) -> None:
        for name, info in cls.model_fields.items():
            if (cls.__name__, name) not in out:
                out.add((cls.__name__, name))
                for sub in sections(info.annotation):
                    walk(sub)

    walk(S.Style)
    return out


def test_every_declared_style_key_is_read(japan_result, benin_result, overseas_result, world_result, cluster_result,
                                          monkeypatch):
    """Render every map kind in print, three of them on the web, while recording which style keys the
    code reads: a key declared in the model but read nowhere fails here (read it or remove it)."""
    from atlasmaps import style as S
    from atlasmaps.model import MapKind, RenderOptions
    from atlasmaps.render import static, web

    st = S.load_style("quai-dorsay")
    seen: set[tuple[str, str]] = set()
    original = S._Section.__getattribute__

    def recording(self, name):
        if name in type(self).model_fields:
            seen.add((type(self).__name__, name))
        return original(self, name)

    monkeypatch.setattr(S._Section, "__getattribute__", recording)
    # Fewer renders can only make this test fail, never hide a key. These are the fewest that read every
    # key between them: a country or collectivité print map below, an English country page on the web.
    printed = [(japan_result, dict(kind=MapKind.BILATERAL, partner="JP", north_arrow=True)),
               (overseas_result, dict(kind=MapKind.BILATERAL, partner="MG")),
               (world_result, dict(kind=MapKind.WORLD, symbols=True)),
               (world_result, dict(kind=MapKind.FRANCE))]
    on_the_web = [(overseas_result, dict(kind=MapKind.BILATERAL, partner="MG")),
                  (benin_result, dict(kind=MapKind.COUNTRY, partner="BJ", lang="en")),
                  (world_result, dict(kind=MapKind.WORLD))]
    for joined, kw in printed:
        static.render(joined, st, RenderOptions(formats=(), **kw))  # laid out and drawn, not written
    for joined, kw in on_the_web:
        web.render(joined, st, RenderOptions(formats=("html",), embed=True, **kw))
    # Clustered places (Île-de-France, Tokyo–Yokohama) under a style that finds ten places a crowd:
    # aggregated panels and zoom insets read the rest of `dense:`.
    crowded = st.model_copy(update={"dense": st.dense.model_copy(update={"aggregate_density": 0.01})})
    static.render(cluster_result, crowded, RenderOptions(formats=(), kind=MapKind.BILATERAL, partner="JP"))
    # a partners list too long for the side column: the PDF's annex pages
    # and a collectivité with partners over the world, several in Europe: its Europe inset
    from tests.test_world_lists import LYON_PARTNERS, _lyon, many_zones_result
    static.render(many_zones_result("BJ", 6), st, RenderOptions(MapKind.COUNTRY, partner="BJ", formats=("pdf",)))
    static.render(_lyon(LYON_PARTNERS), st, RenderOptions(MapKind.COLLECTIVITE, collectivite="commune-69123",
                                                          formats=()))
    for name, iso2, lang in (("Hongrie", "HU", "fr"), ("United States", "US", "en"), ("Bahamas", "BS", "en")):
        st.country_phrase(name, iso2, lang)
    monkeypatch.undo()
    root = Path(__file__).resolve().parent.parent
    for (section, key), (path, needle) in READ_ELSEWHERE.items():
        assert needle in (root / path).read_text(encoding="utf-8"), (section, key)
        seen.add((section, key))
    assert sorted(_declared_keys() - seen) == []
