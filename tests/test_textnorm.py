"""atlasmaps.textnorm: the one home of text folding (names, keys, slugs)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from atlasmaps.textnorm import collation_key, fold, normalize_name, slug, words


def test_saint_and_st_meet_as_saint():
    assert normalize_name("St-Étienne") == normalize_name("SAINT ETIENNE") == "saint etienne"
    assert normalize_name("Ste-Foy-lès-Lyon") == "sainte foy les lyon"
    assert normalize_name("L'Haÿ-les-Roses") == "hay les roses"


def test_words_folds_case_accents_and_punctuation_only():
    assert words("L'Haÿ-les-Roses") == "l hay les roses"  # no article or Saint rule
    assert words("Œuvre d’art") == "oeuvre d art"
    assert words(None) == "" and words(float("nan")) == ""
    assert fold("Hyōgo") == "hyogo"


def test_slug():
    assert slug("Préfecture d'Osaka") == "prefecture-d-osaka"
    assert slug("Ørsted", "_") == "orsted"
    assert slug("—") == "x"


def test_collation_sets_accents_and_case_aside_and_reads_numbers_by_value():
    names = ["Zimbabwe", "États-Unis", "égypte", "Allemagne", "Ville 10", "Ville 9", "ville 9", "Île-de-France"]
    assert sorted(names, key=collation_key) == ["Allemagne", "égypte", "États-Unis", "Île-de-France", "Ville 9",
                                               "ville 9", "Ville 10", "Zimbabwe"]


@given(st.lists(st.one_of(st.text(), st.integers().map(str), st.from_regex(r"[A-Za-zÉé ]{0,3}\d{1,3}[ a-z]{0,3}"))))
def test_any_names_sort_in_one_order_whatever_their_order(names):
    """Any mix of texts and numbers compares (never a text against a number) and sorts to one order."""
    once = sorted(names, key=collation_key)
    assert sorted(reversed(names), key=collation_key) == once
    assert collation_key(None) == collation_key("")  # a missing name is listed as an empty one
