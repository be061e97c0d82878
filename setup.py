"""Packages of the wheel: the `atlasmaps` package plus the repository's top-level `boundaries/` and
`styles/` folders, mapped (not copied) to `atlasmaps/_data/` as package data. The rest of the
metadata is in pyproject.toml; `atlasmaps.shipped` finds these folders at run time."""

from setuptools import find_packages, setup

SHIPPED = {"atlasmaps._data.boundaries": "boundaries", "atlasmaps._data.styles": "styles"}

setup(
    packages=[*find_packages(include=["atlasmaps", "atlasmaps.*"]), *SHIPPED],
    package_dir=SHIPPED,
    package_data={
        "atlasmaps": ["sample/*", "render/web_assets/*"],
        # the whole folders: their file names change when the data is rebuilt
        **{package: ["*"] for package in SHIPPED},
    },
)
