"""Codes on the French side of the join, checked against values looked up by hand in the COG
(INSEE's Code officiel géographique) and the SIRENE directory, not computed by atlasmaps.

Each case is chosen so that the name alone would not give the expected answer: a name the layers do
not know, a name shared by several communes, a name that is right while the code points elsewhere.
Only the public entry point (`join_partnerships`) is used, so these hold whatever the join's internals.
"""

from __future__ import annotations

import pytest

from atlasmaps.join import join_partnerships
from atlasmaps.model import CollectiviteType, MatchMethod, MatchStatus, Partnership

C = CollectiviteType

# From the COG (commune -> INSEE code, département, région) and SIRENE (SIREN), by hand.
NICE = "06088"                # Nice, Alpes-Maritimes (06), Provence-Alpes-Côte d'Azur (93)
BOURG_EN_BRESSE = "01053"     # Bourg-en-Bresse, Ain (01), Auvergne-Rhône-Alpes (84)
PARIS, PARIS_SIREN = "75056", "217500016"
BORDEAUX, BORDEAUX_SIREN = "33063", "213300635"
CRETEIL = "94028"             # Créteil, Val-de-Marne (94), Île-de-France (11)
CERGY = "95127"
CA_CERGY_PONTOISE_SIREN = "249500109"
BORDEAUX_METROPOLE_SIREN = "243300316"


def _row(collectivite: str, kind: CollectiviteType, **kw: object) -> Partnership:
    return Partnership(row=2, id="t", collectivite=collectivite, type_collectivite=kind, partenaire="Kobe",
                       pays="JP", **kw)  # type: ignore[arg-type]


CASES = {
    # Spreadsheets drop the leading zero of INSEE codes; the name does not rescue these rows.
    "nice_foreign_name": _row("Ville de Nizza", C.COMMUNE, code_collectivite="6088"),
    "bourg_homonym": _row("Bourg", C.COMMUNE, code_collectivite="1053"),  # "Bourg" alone: Gironde or Haute-Marne
    "nice_padded": _row("Ville de Nizza", C.COMMUNE, code_collectivite="06088"),
    # A SIREN of another kind of collectivité is not accepted for this one.
    "epci_siren_for_commune": _row("Cergy", C.COMMUNE, code_collectivite=CA_CERGY_PONTOISE_SIREN),
    "epci_siren_for_unknown_commune": _row("Agglo inconnue", C.COMMUNE, code_collectivite=CA_CERGY_PONTOISE_SIREN),
    "commune_siren_for_departement": _row("Gironde", C.DEPARTEMENT, code_collectivite=BORDEAUX_SIREN),
    "commune_siren_for_groupement": _row("Bordeaux Métropole", C.GROUPEMENT, code_collectivite=BORDEAUX_SIREN),
    "commune_siren_for_commune": _row("Lutèce", C.COMMUNE, code_collectivite=PARIS_SIREN),
    "epci_siren_for_groupement": _row("Métropole bordelaise", C.GROUPEMENT, code_collectivite=BORDEAUX_METROPOLE_SIREN),
    # Régions from the COG: Paris and Créteil are both in Île-de-France (11), not in 75 or 94.
    "paris": _row("Paris", C.COMMUNE, code_collectivite=PARIS),
    "creteil": _row("Créteil", C.COMMUNE, code_collectivite=CRETEIL),
    "val_de_marne": _row("Val-de-Marne", C.DEPARTEMENT, code_collectivite="94"),
    # Codes as typed: spaces, lower case, a département or région code without its zero.
    "ajaccio_typed": _row("Aiacciu", C.COMMUNE, code_collectivite=" 2a 004 "),  # Ajaccio, 2A004
    "ain_one_digit": _row("CD de l'Ain", C.DEPARTEMENT, code_collectivite="1"),
    "guadeloupe_one_digit": _row("Guadeloupe", C.REGION, code_collectivite="1"),
    # The département column tells homonyms apart, as a code (with or without its zero) or a name.
    "thoiry_dep_1": _row("Thoiry", C.COMMUNE, departement="1"),  # Thoiry (Ain) 01419, not Savoie's or Yvelines'
    "balan_dep_8": _row("Balan", C.COMMUNE, departement="08"),  # Balan (Ardennes) 08043, not Ain's 01027
    "trinite_dep_6": _row("La Trinité", C.COMMUNE, departement="6"),  # 06149, not Martinique's 97230
    "saint_denis_dep_name": _row("Saint-Denis", C.COMMUNE, departement="Seine-Saint-Denis"),  # 93066
    "saint_denis_dep_code": _row("Saint-Denis", C.COMMUNE, departement="974"),  # 97411
    "saint_denis_dep_unknown": _row("Saint-Denis", C.COMMUNE, departement="99"),
    "bastia_dep_lower": _row("Bastia", C.COMMUNE, departement="2b"),  # 2B033
    "nice_wrong_dep": _row("Nice", C.COMMUNE, departement="13"),  # Nice is in 06
    # Homonyms without a hint are never resolved silently.
    "saint_denis": _row("Saint-Denis", C.COMMUNE),  # Aude, Gard, Seine-Saint-Denis, La Réunion
    "thoiry": _row("Thoiry", C.COMMUNE),  # Ain, Savoie, Yvelines
    "balan": _row("Balan", C.COMMUNE),  # Ain, Ardennes
    # Administrative words before the name.
    "ville_de": _row("Ville de Lyon", C.COMMUNE),  # 69123
    "conseil_departemental": _row("Conseil départemental de la Gironde", C.DEPARTEMENT),  # 33
    "communaute": _row("Communauté d'agglomération de Cergy-Pontoise", C.GROUPEMENT),
    # A commune the layers know but cannot place (no point in GeoNames): kept, not drawn.
    "no_point": _row("Celles", C.COMMUNE, departement="15"),  # 15031, merged into Neussargues en Pinatelle
}


@pytest.fixture
def joined():
    """Joined per test (the indexes are cached per process, so this is cheap), so that a test's
    cases are matched while that test runs (mutation testing attributes calls to tests)."""
    result = join_partnerships(CASES.values(), source="codes")
    return dict(zip(CASES, result.rows, strict=True))


def test_insee_code_without_its_leading_zero(joined) -> None:
    for case, code in (("nice_foreign_name", NICE), ("bourg_homonym", BOURG_EN_BRESSE), ("nice_padded", NICE)):
        r = joined[case]
        assert r.french_match.status is MatchStatus.MATCHED, (case, r.french_match)
        assert (r.french.kind, r.french.code, r.french_match.method) == (C.COMMUNE, code, MatchMethod.CODE), case


def test_siren_of_a_groupement_is_not_a_communes(joined) -> None:
    r = joined["epci_siren_for_commune"]
    assert (r.french.kind, r.french.code) == (C.COMMUNE, CERGY)  # by its name, not as the agglomeration
    assert r.french_match.method is not MatchMethod.CODE
    assert CA_CERGY_PONTOISE_SIREN in (r.french_match.reason or "")  # the refused code is reported
    unknown = joined["epci_siren_for_unknown_commune"]
    assert unknown.french is None and unknown.french_match.status is MatchStatus.UNMATCHED
    assert CA_CERGY_PONTOISE_SIREN in (unknown.french_match.reason or "")


def test_siren_of_a_commune_is_not_a_departements_or_a_groupements(joined) -> None:
    dep = joined["commune_siren_for_departement"]
    assert (dep.french.kind, dep.french.code) == (C.DEPARTEMENT, "33")  # Gironde by name, not Bordeaux
    assert dep.french_match.method is not MatchMethod.CODE
    grp = joined["commune_siren_for_groupement"]
    assert (grp.french.kind, grp.french.code) == (C.GROUPEMENT, BORDEAUX_METROPOLE_SIREN)
    assert grp.french_match.method is not MatchMethod.CODE


def test_siren_of_the_right_kind_is_accepted(joined) -> None:
    paris = joined["commune_siren_for_commune"]
    assert (paris.french.code, paris.french_match.method) == (PARIS, MatchMethod.CODE)
    bm = joined["epci_siren_for_groupement"]
    assert (bm.french.code, bm.french_match.method) == (BORDEAUX_METROPOLE_SIREN, MatchMethod.CODE)


def test_region_of_a_commune_and_a_departement_from_the_cog(joined) -> None:
    """Paris (75) and Créteil (94) are in Île-de-France (11); 75 and 94 are other régions' codes."""
    assert (joined["paris"].french.departement, joined["paris"].french.region) == ("75", "11")
    assert (joined["creteil"].french.departement, joined["creteil"].french.region) == ("94", "11")
    assert joined["val_de_marne"].french.region == "11"


def test_codes_as_typed(joined) -> None:
    for case, kind, code in (("ajaccio_typed", C.COMMUNE, "2A004"), ("ain_one_digit", C.DEPARTEMENT, "01"),
                             ("guadeloupe_one_digit", C.REGION, "01")):
        r = joined[case]
        assert (r.french.kind, r.french.code, r.french_match.method) == (kind, code, MatchMethod.CODE), case


def test_departement_column_decides_between_homonyms(joined) -> None:
    expected = {"thoiry_dep_1": "01419", "trinite_dep_6": "06149", "saint_denis_dep_name": "93066",
                "saint_denis_dep_code": "97411", "bastia_dep_lower": "2B033", "balan_dep_8": "08043"}
    got = {case: (joined[case].french_match.status, joined[case].french and joined[case].french.code)
           for case in expected}
    assert got == {case: (MatchStatus.MATCHED, code) for case, code in expected.items()}
    unknown = joined["saint_denis_dep_unknown"]
    assert unknown.french is None and unknown.french_match.status is MatchStatus.UNMATCHED
    assert "99" in unknown.french_match.reason


def test_administrative_words_before_the_name(joined) -> None:
    assert joined["ville_de"].french.code == "69123"
    assert joined["conseil_departemental"].french.code == "33"
    assert joined["communaute"].french.code == CA_CERGY_PONTOISE_SIREN
    for case in ("ville_de", "conseil_departemental", "communaute"):
        assert joined[case].french_match.method is MatchMethod.NORMALISED, case


def test_a_commune_without_position_is_kept_but_not_drawn(joined) -> None:
    r = joined["no_point"]
    assert (r.french.code, r.french_match.status, r.french_match.method) == (
        "15031", MatchStatus.UNMATCHED, MatchMethod.EXACT)
    assert r.french_match.reason == "no position for commune Celles (15031)"
    assert not r.mappable


def test_a_hint_that_excludes_the_only_commune_of_that_name(joined) -> None:
    r = joined["nice_wrong_dep"]
    assert r.french is None and r.french_match.status is MatchStatus.UNMATCHED
    assert r.french_match.candidates == ("Nice (06)",)
    assert r.french_match.reason == "no commune named 'Nice' in département 13"


def test_homonyms_without_a_hint_are_ambiguous(joined) -> None:
    sd = joined["saint_denis"]
    assert sd.french is None
    assert (sd.french_match.status, sd.french_match.method) == (MatchStatus.AMBIGUOUS, MatchMethod.EXACT)
    assert sd.french_match.candidates == ("Saint-Denis (11)", "Saint-Denis (30)", "Saint-Denis (93)",
                                          "Saint-Denis (974)")
    assert sd.french_match.reason == "4 communes named 'Saint-Denis': give the code or the département"
    th = joined["thoiry"]
    assert (th.french, th.french_match.status) == (None, MatchStatus.AMBIGUOUS)
    assert th.french_match.candidates == ("Thoiry (01)", "Thoiry (73)", "Thoiry (78)")
    ba = joined["balan"]
    assert (ba.french, ba.french_match.status) == (None, MatchStatus.AMBIGUOUS)
    assert ba.french_match.candidates == ("Balan (01)", "Balan (08)")
