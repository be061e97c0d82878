"""Data that crosses module lines: validated rows, what the join resolved them to, and problems.

Flow: read (atlasmaps.data.readers) -> validate (atlasmaps.data.schema) -> join (atlasmaps.join)
-> map content (atlasmaps.content) -> render (atlasmaps.render) -> write. Each step takes and returns
these plain dataclasses, so no step needs to know how the previous one did its work.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


class CollectiviteType(StrEnum):
    """The four kinds of French collectivité the Atlas maps (see the France–Bénin legend)."""

    REGION = "region"
    DEPARTEMENT = "departement"
    GROUPEMENT = "groupement"
    COMMUNE = "commune"


class MatchStatus(StrEnum):
    """Only MATCHED rows are drawn. TO_CONFIRM is a guess (a close spelling) that a person must
    confirm, through the corrections file, before it is drawn; DOMESTIC is a partner in France
    (overseas included): a partnership between two French collectivités, not a foreign one."""

    MATCHED = "matched"
    AMBIGUOUS = "ambiguous"
    TO_CONFIRM = "to confirm"
    DOMESTIC = "domestic"
    IGNORED = "ignored"  # left off on purpose by the corrections file
    UNMATCHED = "unmatched"
    INVALID = "invalid"


class MatchMethod(StrEnum):
    CODE = "code"
    EXACT = "exact name"
    NORMALISED = "normalised name"
    ALTERNATE = "alternate name"  # an exonym or another spelling (München for Munich, Oono for Ōno)
    LARGEST_HOMONYM = "largest homonym"  # several places of that name, one far more populous
    FORMER_COMMUNE = "former commune"  # a commune déléguée, associée or merged, or an arrondissement
    FORMER_REGION = "former région"  # a région of before 2016, resolved to today's
    FUZZY = "fuzzy"
    OVERRIDE = "override"
    CORRECTION = "correction"  # from the --corrections file
    ADMIN1 = "admin-1 name"
    ADMIN2 = "admin-2 name"


class Precision(StrEnum):
    """How precisely a side is placed: at its own point, somewhere in its commune, or only in its
    admin-2 / admin-1 unit or country. Reports say it so that nobody reads a zone as a town."""

    POINT = "point"
    COMMUNE = "commune"
    ADMIN2 = "admin-2"
    ADMIN1 = "admin-1"
    COUNTRY = "country"


@dataclass(frozen=True)
class RowProblem:
    """One problem with one input row (or the whole file when `row` is None)."""

    file: str
    row: int | None
    column: str | None
    message: str
    sheet: str | None = None  # XLSX worksheet, named when the workbook has several

    def __str__(self) -> str:
        where = self.file
        if self.sheet is not None:
            where += f", sheet '{self.sheet}'"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Partnership:
    """One validated input row: a partnership between a French collectivité and a foreign partner.

    `row` is the line number in the source file as a spreadsheet shows it (header = row 1).
    """

    row: int
    id: str
    collectivite: str
    type_collectivite: CollectiviteType | None  # None until the join infers it from the name
    partenaire: str
    pays: str  # ISO 3166-1 alpha-2, resolved from code or name; "" until the join infers it
    code_collectivite: str | None = None
    departement: str | None = None  # optional hint (INSEE code of the département)
    type_partenaire: str | None = None
    region_partenaire: str | None = None
    code_partenaire: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    annee: int | None = None
    thematiques: tuple[str, ...] = ()
    nature: str = "coopération décentralisée"
    statut: str = "active"
    source: str | None = None  # the row's `source` cell (where the information comes from)
    pays_saisi: str | None = None  # the country as written when it was not a code ("Écosse", "Turkey")
    sheet: str | None = None  # XLSX worksheet the row comes from, when the workbook has several


@dataclass(frozen=True)
class FrenchUnit:
    """The French collectivité a row was resolved to.

    `code` is the INSEE code for régions, départements and communes, the SIREN for groupements.
    `lon`/`lat` is the point symbol position (None for polygons drawn as filled units).
    """

    kind: CollectiviteType
    code: str
    name: str
    siren: str | None = None
    departement: str | None = None
    region: str | None = None
    lon: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class PartnerPlace:
    """The foreign partner a row was resolved to, with its zone d'intervention (admin-1 unit).

    `name` is the gazetteer's (Yerevan, Antwerp); `written_name` is the data's own name for the same
    place when it is another known name of it (Érevan, Anvers), one per place across the file's rows;
    `written_admin1_name` is that name for a zone named after the place (the province of Anvers, the
    gouvernorat of Alexandrie) or given as the row's region (Bavière). A partner that is an admin-1
    unit has the unit's name as `name` (Shandong) and the data's as `written_name` (Province du
    Shandong). The Atlas data is French, so
    French maps write them (`content.common.in_map_language`).
    """

    name: str
    country: str  # ISO2
    lon: float | None
    lat: float | None
    admin1_id: str | None = None
    admin1_name: str | None = None
    written_name: str | None = None
    written_admin1_name: str | None = None


@dataclass(frozen=True)
class SideMatch:
    """How one side of a row was matched; `candidates` lists the options when ambiguous."""

    status: MatchStatus
    method: MatchMethod | None = None
    candidates: tuple[str, ...] = ()
    reason: str | None = None
    precision: Precision | None = None

    def at(self, precision: Precision) -> SideMatch:
        """The same match with its precision (faster than dataclasses.replace on 12,000 rows)."""
        return SideMatch(self.status, self.method, self.candidates, self.reason, precision)


@dataclass(frozen=True)
class JoinedPartnership:
    partnership: Partnership
    french: FrenchUnit | None
    french_match: SideMatch
    partner: PartnerPlace | None
    partner_match: SideMatch

    @property
    def status(self) -> MatchStatus:
        """The worse of the two sides: a row is only drawn when both are matched."""
        order = [MatchStatus.INVALID, MatchStatus.UNMATCHED, MatchStatus.IGNORED, MatchStatus.DOMESTIC,
                 MatchStatus.TO_CONFIRM, MatchStatus.AMBIGUOUS, MatchStatus.MATCHED]
        return min((self.french_match.status, self.partner_match.status), key=order.index)

    @property
    def mappable(self) -> bool:
        return self.status is MatchStatus.MATCHED


@dataclass(frozen=True)
class JoinResult:
    """Everything the renderers need from the data: joined rows plus the rows that were rejected."""

    source: str
    rows: tuple[JoinedPartnership, ...]
    problems: tuple[RowProblem, ...] = ()
    data_date: str | None = None  # date of the data, for the source line (file mtime if not given)
    data_source: str | None = None  # source the data states, for the source line (None: the style's default)
    extra: dict[str, object] = field(default_factory=dict)

    def for_partner(self, iso2: str) -> JoinResult:
        """The rows of one partner country (problems are kept: they belong to the file)."""
        iso2 = iso2.upper()
        return replace(self, rows=tuple(r for r in self.rows if r.partnership.pays == iso2))

    @property
    def mapped(self) -> tuple[JoinedPartnership, ...]:
        return tuple(r for r in self.rows if r.mappable)

    @property
    def partner_countries(self) -> tuple[str, ...]:
        """Foreign partner countries: a partner in France (overseas included) is not one."""
        return tuple(sorted({r.partnership.pays for r in self.rows
                             if r.partner_match.status is not MatchStatus.DOMESTIC}))


class MapKind(StrEnum):
    BILATERAL = "bilateral"
    COUNTRY = "country"
    WORLD = "world"
    FRANCE = "france"
    COLLECTIVITE = "collectivite"


PRINT_FORMATS = ("pdf", "svg", "png")
ALL_FORMATS = (*PRINT_FORMATS, "html")


@dataclass(frozen=True)
class RenderOptions:
    """Options shared by every renderer; the command line and batch manifests both build one."""

    kind: MapKind
    partner: str | None = None  # ISO2, for bilateral and country maps
    formats: tuple[str, ...] = ("pdf",)
    lang: str = "fr"
    dpi: int = 300
    page: str = "A4-landscape"  # A4|A3 + -landscape|-portrait
    projection: str | None = None  # PROJ string / EPSG code overriding the automatic choice
    insets: bool | None = None  # overseas insets: None = when one is involved
    north_arrow: bool = False
    show_years: bool | None = None  # None = as the style says
    symbols: bool = False  # world map: proportional circles instead of a choropleth
    scheme: str | None = None  # world/france classification: jenks | quantiles (None: the style's)
    level: str = "region"  # france map: region | departement
    tiles: str | None = None  # html: online basemap name or URL (off by default)
    embed: bool = False  # html: also write the iframe snippet
    include_inactive: bool = False  # draw partnerships whose statut is not "active" (inactive, planned)
    collectivite: str | None = None  # collectivité map: "<type>-<code>" ("commune-69123")

    def output_stem(self) -> str:
        """`<kind>-<ISO2>` for per-country maps, `collectivite-<type>-<code>`, `<kind>` for world and france."""
        if self.kind == MapKind.COLLECTIVITE:
            return f"{self.kind.value}-{self.collectivite}"
        return f"{self.kind.value}-{self.partner}" if self.partner else self.kind.value


@dataclass(frozen=True)
class RenderedMap:
    """What a renderer returns: the bytes of each format, plus what it had to leave out."""

    files: dict[str, bytes]  # format -> content
    dropped_labels: tuple[str, ...] = ()
    numbered_labels: tuple[str, ...] = ()  # places named by a number on the map and in its key
    warnings: tuple[str, ...] = ()
    extra_files: dict[str, bytes] = field(default_factory=dict)  # suffix -> content (e.g. embed snippet)
