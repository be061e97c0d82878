"""`--name` / `--code` of the collectivité map: the data's collectivités first, code before name,
homonyms listed with their codes, unknown names answered with the closest ones (exit 2)."""

from __future__ import annotations

import pytest

from atlasmaps.errors import EXIT_UNUSABLE
from atlasmaps.join.select import UnknownCollectivite, find_collectivite, label
from atlasmaps.model import CollectiviteType
from atlasmaps.sample import sample_path


@pytest.fixture(scope="module")
def sample_joined():
    from atlasmaps.join import join_file

    return join_file(sample_path())


@pytest.mark.parametrize(("asked", "expected"), [
    ({"name": "Lyon"}, "Lyon (commune 69123)"),
    ({"code": "69123"}, "Lyon (commune 69123)"),
    ({"name": "métropole de lyon"}, "Métropole de Lyon (groupement 200046977)"),
    ({"code": "200046977"}, "Métropole de Lyon (groupement 200046977)"),
    ({"code": "77"}, "Seine-et-Marne (departement 77)"),
    ({"name": "Ile de France"}, "Île-de-France (region 11)"),
    ({"name": "Lyon", "kind": CollectiviteType.GROUPEMENT}, "Métropole de Lyon (groupement 200046977)"),
])
def test_found(sample_joined, asked, expected) -> None:
    assert label(find_collectivite(sample_joined, **asked)) == expected


def test_the_code_wins_over_the_name(sample_joined) -> None:
    assert find_collectivite(sample_joined, name="Marseille", code="69123").name == "Lyon"


def test_unknown_name_lists_the_closest(sample_joined) -> None:
    with pytest.raises(UnknownCollectivite) as info:
        find_collectivite(sample_joined, name="Marsielle")
    assert str(info.value) == (f"--name 'Marsielle': no such collectivité in {sample_joined.source}; "
                               "closest: Marseille (commune 13055)")
    assert info.value.exit_code == EXIT_UNUSABLE


def test_a_real_collectivite_without_partnership_is_named(sample_joined) -> None:
    with pytest.raises(UnknownCollectivite) as info:
        find_collectivite(sample_joined, name="Toulouse")
    assert str(info.value).startswith("--name 'Toulouse': Toulouse (commune 31555) has no partnership in ")


def test_homonyms_in_the_data_are_listed(japan_result) -> None:
    from dataclasses import replace

    rows = list(japan_result.rows)
    first = next(r for r in rows if r.french.kind is CollectiviteType.COMMUNE)
    twin = replace(first, french=replace(first.french, code="99999", departement="99"))
    with pytest.raises(UnknownCollectivite) as info:
        find_collectivite(replace(japan_result, rows=(*rows, twin)), name=first.french.name)
    message = str(info.value)
    assert f"2 collectivités of {japan_result.source} have this name" in message and message.endswith("; give --code")
    assert f"(commune {first.french.code})" in message and "(commune 99999)" in message
