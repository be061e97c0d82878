"""Where the data shipped with atlasmaps lives: `boundaries/` and `styles/`.

The repository keeps them as top-level folders (the design card's layout); the wheel carries the same
folders as package data under `atlasmaps/_data/` (mapped by setup.py, not copied in the repository).
`importlib.resources` finds the installed copy; a source checkout or an editable install falls back
to the top-level folder; an environment variable overrides both.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

BOUNDARIES_ENV = "ATLASMAPS_BOUNDARIES_DIR"
STYLES_ENV = "ATLASMAPS_STYLES_DIR"


def shipped_dir(name: str, env: str) -> Path:
    """`$env` if set, else the installed `atlasmaps/_data/<name>`, else `<checkout>/<name>`."""
    override = os.environ.get(env)
    if override:
        return Path(override)
    installed = resources.files("atlasmaps").joinpath("_data", name)
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parent.parent / name
