"""atlasmaps.textnorm: the one home of text folding (names, keys, slugs)."""

from __future__ import annotations

from atlasmaps.textnorm import fold, normalize_name, slug, words


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
