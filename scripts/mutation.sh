#!/usr/bin/env bash
# Mutation testing of atomic.py, join/ and the layout (content/, geo/) (README, "Mutation testing").
# With no argument: the targeted set reported in the README (atomic writes, the normaliser, the French
# side's code/name/homonym decisions, classes and France counts), about 800 mutants, ~30 min on 2 busy
# cores. With arguments: those mutant name patterns, e.g. "atlasmaps.geo.lonwrap.*" or "atlasmaps.*".
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/mutmut ] || .venv/bin/python -m pip install -q -e '.[test]'
if [ "$#" -eq 0 ]; then
  set -- "atlasmaps.atomic*" "atlasmaps.textnorm.*" \
    "atlasmaps.join.french.x_core_name*" "atlasmaps.join.french.x_normalize_departement*" \
    "atlasmaps.join.french.x__departement_hint*" "atlasmaps.join.french.x__by_code*" \
    "atlasmaps.join.french.x__decide*" "atlasmaps.join.french.x__positioned*" "atlasmaps.join.french.x__label*" \
    "atlasmaps.join.french.x_match_french*" \
    "atlasmaps.content.classes.*" "atlasmaps.content.france.*" "atlasmaps.content.common.*"
fi
nice -n 10 .venv/bin/mutmut run --max-children 2 "$@"
.venv/bin/mutmut results
