"""The click commands, imported lazily by `atlasmaps.cli` so that `atlasmaps --help` stays fast."""
