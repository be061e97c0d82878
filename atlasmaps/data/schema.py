"""The partnership data schema: columns, their aliases, and the controlled vocabularies.

One place describes what a row may contain, so that `atlasmaps schema`, the readers, the
validation and the README all say the same thing. Header matching ignores case, accents,
spaces, hyphens and underscores ("Type collectivité" = "type_collectivite" = "TYPE-COLLECTIVITE").
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from atlasmaps.errors import UnusableInputError
from atlasmaps.textnorm import fold, normalize_name
from atlasmaps.model import CollectiviteType


@dataclass(frozen=True)
class Column:
    """One column of the schema; `aliases` are other accepted headers (English, usual exports)."""

    name: str
    required: bool
    fr: str
    en: str
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("id", False, "identifiant du projet (numéro de ligne si absent)",
           "project identifier (row number when absent)", ("identifiant", "project_id", "id_projet")),
    Column("collectivite", True, "nom de la collectivité française",
           "name of the French local authority",
           ("collectivite_francaise", "nom_collectivite", "french_authority", "french_local_authority",
            "local_authority", "authority", "commune", "commune_francaise", "ville_francaise", "french_town",
            "french_city", "french_commune", "collectivite_territoriale")),
    Column("type_collectivite", False,
           "région | département | groupement | commune (ou « Conseil régional », « Ville », « Métropole »…) ; "
           "si absent, déduit du nom (une commune d'abord)",
           "region | departement | groupement | commune (or the usual French labels); "
           "when absent, inferred from the name (a commune first)",
           ("type", "type_de_collectivite", "authority_type", "french_type")),
    Column("code_collectivite", False, "code INSEE (commune, département, région) ou SIREN",
           "INSEE code (commune, département, région) or SIREN",
           ("code_insee", "insee", "siren", "authority_code", "french_code")),
    Column("departement", False, "département de la collectivité (code INSEE ou nom), pour les homonymes",
           "département of the authority (INSEE code or name), to tell homonyms apart",
           ("dept", "code_departement", "department")),
    Column("partenaire", True, "nom de l'autorité locale partenaire", "name of the foreign partner",
           ("collectivite_partenaire", "autorite_partenaire", "partner", "partner_name", "foreign_partner",
            "ville_jumelle", "ville_jumelee", "villes_jumelles", "twin_town", "twin_city", "sister_city",
            "partner_city", "partner_town", "ville_partenaire", "commune_partenaire", "jumelage", "jumelee_avec",
            "partenaire_etranger")),
    Column("pays", False, "pays partenaire : ISO 3166-1 alpha-2/alpha-3 ou nom français/anglais, tel qu'on "
           "l'écrit (Turquie, RDC, Angleterre…) ; si absent, déduit du nom du partenaire quand un seul pays l'a",
           "partner country: ISO 3166-1 alpha-2/alpha-3 or French/English name as people write it (Turkey, "
           "DR Congo, England...); when absent, inferred from the partner's name when one country has it",
           ("pays_partenaire", "country", "partner_country", "code_pays", "country_code", "pays_du_partenaire",
            "pays_de_la_ville_jumelle", "twin_country")),
    Column("type_partenaire", False, "type du partenaire (ville, préfecture, province…)",
           "partner type (city, prefecture, province...)", ("partner_type",)),
    Column("region_partenaire", False, "région (admin-1) du partenaire : nom ou code",
           "partner's region (admin-1): name or code",
           ("region_du_partenaire", "partner_region", "admin1", "zone", "state", "province", "etat_region",
            "region_etat", "etat_province", "province_etat", "state_province", "province_state", "region_province",
            "province_region")),
    Column("code_partenaire", False, "code de la zone du partenaire (HASC ou ISO 3166-2)",
           "partner's zone code (HASC or ISO 3166-2)", ("partner_code",)),
    Column("latitude", False, "latitude du partenaire (WGS84), remplace la position trouvée",
           "partner latitude (WGS84), overrides the position found", ("lat",)),
    Column("longitude", False, "longitude du partenaire (WGS84), remplace la position trouvée",
           "partner longitude (WGS84), overrides the position found", ("lon", "lng", "long")),
    Column("annee", False, "année de début de la coopération (1945 à l'année en cours)",
           "year the cooperation started (1945 to the current year)",
           ("annee_debut", "date_debut", "year", "start_year", "annee_du_jumelage", "date_du_jumelage",
            "date_de_jumelage", "annee_de_jumelage", "depuis", "since", "year_twinned")),
    Column("thematiques", False, "thématiques, séparées par « ; » ou « | »",
           "themes, separated by ';' or '|'", ("thematique", "themes", "theme", "domaines")),
    Column("nature", False, "jumelage | coopération décentralisée | pacte d'amitié | autre",
           "twinning | decentralised cooperation | friendship pact | other",
           ("type_partenariat", "partnership_type", "kind")),
    Column("statut", False, "active (par défaut) | inactive | en projet",
           "active (default) | inactive | planned", ("status", "etat")),
    Column("source", False, "source de l'information (ignorée par la jointure)",
           "source of the information (not used by the join)", ("sources", "reference")),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
REQUIRED = tuple(c.name for c in COLUMNS if c.required)


def header_key(header: str) -> str:
    """Fold a header for comparison: case, accents, and any run of non-letters ignored."""
    return re.sub(r"[^a-z0-9]+", "_", fold(header.strip())).strip("_")


def _header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for column in COLUMNS:
        for alias in (column.name, *column.aliases):
            index.setdefault(header_key(alias), column.name)
    return index


_HEADERS = _header_index()


def map_headers(headers: list[str], mapping: dict[str, str] | None = None) -> dict[str, int]:
    """Canonical column name -> index in `headers`.

    `mapping` (from `--columns`) maps canonical names to the file's own headers and wins over
    the built-in aliases. A header matching nothing is ignored; a column given twice is found by
    `header_clashes`, and validation refuses the file rather than let the first one win.
    """
    keys = [header_key(h or "") for h in headers]
    found: dict[str, int] = {}
    for canonical, user_header in (mapping or {}).items():
        key = header_key(user_header)
        if key in keys:
            found[canonical] = keys.index(key)
    taken = set(found.values())
    for i, key in enumerate(keys):
        canonical = _HEADERS.get(key)
        if canonical and canonical not in found and i not in taken:
            found[canonical] = i
    return found


def header_clashes(headers: list[str], mapping: dict[str, str] | None = None) -> list[tuple[str, int, int]]:
    """(canonical column, first index, second index) for every schema column the header gives twice:
    the same header twice, or two aliases of one column ("Pays" and "Country"). A `--columns`
    mapping says which header is the column, so for a mapped column only that header twice clashes.
    Headers that match no column are ignored (nothing is read from them)."""
    keys = [header_key(h or "") for h in headers]
    clashes: list[tuple[str, int, int]] = []
    taken: set[int] = set()
    for canonical, user_header in (mapping or {}).items():
        hits = [i for i, k in enumerate(keys) if k == header_key(user_header)]
        taken.update(hits)
        if len(hits) > 1:
            clashes.append((canonical, hits[0], hits[1]))
    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        canonical = _HEADERS.get(key)
        if canonical is None or canonical in (mapping or {}) or i in taken:
            continue
        if canonical not in first:
            first[canonical] = i
        elif not any(c == canonical for c, _, _ in clashes):
            clashes.append((canonical, first[canonical], i))
    return clashes


def load_column_mapping(path: str | Path) -> dict[str, str]:
    """Read a `--columns` YAML file: `canonical_name: "Header in the file"` per line."""
    from atlasmaps.yamlsafe import load_file

    path = Path(path)
    if not path.exists():
        raise UnusableInputError(f"{path}: column mapping file not found")
    data = load_file(path, "column mapping")  # size, depth and aliases bounded; one line on error
    if not isinstance(data, dict):
        raise UnusableInputError(f"{path}: the column mapping must be 'column: header' pairs")
    mapping: dict[str, str] = {}
    for key, value in data.items():
        canonical = _HEADERS.get(header_key(str(key)))
        if canonical is None:
            raise UnusableInputError(
                f"{path}: unknown column '{str(key)[:40]}' in the mapping (expected one of: {', '.join(COLUMN_NAMES)})"
            )
        if not isinstance(value, str | int) or not str(value).strip():
            raise UnusableInputError(f"{path}: column '{key}' must map to a header name")
        mapping[canonical] = str(value)
    return mapping


# --- type_collectivite -------------------------------------------------------------------------

_TYPE_WORDS: dict[CollectiviteType, tuple[str, ...]] = {
    CollectiviteType.REGION: (
        "region", "conseil regional", "collectivite territoriale", "collectivite de corse",
        "collectivite territoriale unique", "collectivite europeenne d alsace", "regional council",
    ),
    CollectiviteType.DEPARTEMENT: (
        "departement", "conseil departemental", "conseil general", "department", "departmental council",
        "county council",
    ),
    CollectiviteType.GROUPEMENT: (
        "groupement", "epci", "intercommunalite", "communaute d agglomeration", "communaute de communes",
        "communaute urbaine", "metropole", "syndicat", "syndicat mixte", "syndicat intercommunal",
        "pays", "pole metropolitain", "petr", "etablissement public territorial", "ept", "ca", "cc", "cu",
        "grouping", "metropolis", "inter municipality", "intermunicipality", "urban community",
        "agglomeration", "agglomeration community",
    ),
    CollectiviteType.COMMUNE: (
        "commune", "ville", "mairie", "municipalite", "commune nouvelle", "arrondissement", "city",
        "town", "municipality", "village", "city council",
    ),
}
_TYPES = {normalize_name(w): t for t, words in _TYPE_WORDS.items() for w in words}
_TYPES.update({t.value: t for t in CollectiviteType})


def parse_collectivite_type(label: str) -> CollectiviteType | None:
    """Map "Conseil régional", "Ville", "Communauté d'agglomération", "City"... to a type."""
    key = normalize_name(label)
    if key in _TYPES:
        return _TYPES[key]
    # "Communauté d'agglomération du Grand Avignon", "Conseil départemental de la Gironde"
    for prefix_len in (3, 2):
        head = " ".join(key.split()[:prefix_len])
        if head in _TYPES and len(head.split()) == prefix_len:
            return _TYPES[head]
    return None


# --- nature ------------------------------------------------------------------------------------

NATURES = ("jumelage", "coopération décentralisée", "pacte d'amitié", "autre")
_NATURE_WORDS = {
    "jumelage": ("jumelage", "jumelee", "jumele", "twinning", "twin town", "twin towns", "sister city",
                 "sister cities", "jumelage cooperation"),
    "coopération décentralisée": ("cooperation decentralisee", "cooperation", "decentralised cooperation",
                                  "decentralized cooperation", "partenariat", "partnership",
                                  "accord de cooperation", "convention de cooperation"),
    "pacte d'amitié": ("pacte d amitie", "pacte amitie", "amitie", "friendship pact", "friendship",
                       "friendship agreement", "accord d amitie", "charte d amitie"),
    "autre": ("autre", "other", "divers"),
}
_NATURES = {normalize_name(w): n for n, words in _NATURE_WORDS.items() for w in words}


def parse_nature(label: str) -> str | None:
    return _NATURES.get(normalize_name(label))


STATUTS = ("active", "inactive", "en projet")
_STATUT_WORDS = {
    "active": ("active", "actif", "en cours", "oui", "yes", "current", "ongoing"),
    "inactive": ("inactive", "inactif", "terminee", "termine", "ended", "closed", "non", "no", "suspendu",
                 "suspendue", "en sommeil"),
    "en projet": ("en projet", "projet", "planned", "prevu", "prevue", "en preparation"),
}
_STATUTS = {normalize_name(w): s for s, words in _STATUT_WORDS.items() for w in words}


def parse_statut(label: str) -> str | None:
    return _STATUTS.get(normalize_name(label))


# --- countries ---------------------------------------------------------------------------------


def _reorder(name: str) -> str:
    """ISO names put the article last ("Congo, The Democratic Republic of the"): put it back."""
    if ", " in name:
        head, tail = name.split(", ", 1)
        return f"{tail} {head}"
    return name


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Normalised country name -> ISO2, from pycountry (ISO 3166 + its French translation) and
    babel's CLDR territory names in French and English. Earlier sources win on conflicts."""
    import pycountry
    from babel import Locale

    names: dict[str, str] = {}

    def add(name: str | None, iso2: str) -> None:
        if name:
            names.setdefault(normalize_name(name), iso2)

    iso2s = {c.alpha_2 for c in pycountry.countries}
    for lang in ("fr", "en"):
        for code, name in Locale(lang).territories.items():
            if code in iso2s:
                add(name, code)
    try:
        fr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    except OSError:  # pragma: no cover - pycountry always ships it
        fr = gettext.NullTranslations()
    for c in pycountry.countries:
        for name in (getattr(c, "common_name", None), c.name, getattr(c, "official_name", None)):
            if name:
                add(name, c.alpha_2)
                add(_reorder(name), c.alpha_2)
                add(fr.gettext(name), c.alpha_2)
                add(_reorder(fr.gettext(name)), c.alpha_2)
    return names


@lru_cache(maxsize=1)
def _country_codes() -> tuple[dict[str, str], dict[str, str]]:
    import pycountry

    alpha2 = {c.alpha_2: c.alpha_2 for c in pycountry.countries}
    alpha3 = {c.alpha_3: c.alpha_2 for c in pycountry.countries}
    # Kosovo has a user-assigned code used by Natural Earth and GeoNames.
    alpha2.setdefault("XK", "XK")
    alpha3.setdefault("XKX", "XK")
    return alpha2, alpha3


# Country names as people write them that neither ISO 3166 nor CLDR lists: short, former and
# everyday forms, in French and English. Constituent nations and Québec keep what they say as a
# nation or a region hint: (ISO2, nation, region of the partner).
COUNTRY_ALIASES: dict[str, tuple[str, str | None, str | None]] = {
    **{k: ("GB", "England", None) for k in ("England", "Angleterre", "Inglaterra", "Inghilterra")},
    **{k: ("GB", "Scotland", None) for k in ("Scotland", "Écosse", "Ecosse", "Escocia")},
    **{k: ("GB", "Wales", None) for k in ("Wales", "Pays de Galles", "Galles", "Gales")},
    **{k: ("GB", "Northern Ireland", None) for k in ("Northern Ireland", "Irlande du Nord", "Ulster")},
    **{k: ("GB", None, None) for k in ("UK", "U.K.", "Great Britain", "Grande-Bretagne", "Britain", "GB",
                                       "Royaume-Uni de Grande-Bretagne", "Royaume Uni")},
    **{k: ("CA", None, "Québec") for k in ("Québec", "Quebec", "Province de Québec", "Province of Quebec")},
    **{k: ("US", None, None) for k in ("USA", "U.S.A.", "US", "U.S.", "America", "Amérique", "Etats-Unis",
                                       "États-Unis d'Amérique", "Etats Unis d'Amérique", "United States of America")},
    **{k: ("TR", None, None) for k in ("Turkey", "Turquie", "Türkiye", "Turkiye")},
    **{k: ("CI", None, None) for k in ("Ivory Coast", "Côte d'Ivoire", "Cote d'Ivoire", "Côte-d'Ivoire")},
    **{k: ("CD", None, None) for k in ("DR Congo", "DRC", "RDC", "RD Congo", "R.D. Congo", "Congo-Kinshasa",
                                       "Congo Kinshasa", "Zaïre", "Zaire", "Democratic Republic of Congo",
                                       "République démocratique du Congo", "Congo (RDC)", "Congo RDC")},
    **{k: ("CG", None, None) for k in ("Congo-Brazzaville", "Congo Brazzaville", "Republic of the Congo",
                                       "République du Congo", "Congo (Brazzaville)")},
    **{k: ("PS", None, None) for k in ("Palestine", "Territoires palestiniens", "Territoire palestinien",
                                       "Palestinian Territories", "Palestinian Authority", "Autorité palestinienne",
                                       "Cisjordanie", "West Bank", "Gaza", "Bande de Gaza")},
    **{k: ("XK", None, None) for k in ("Kosovo", "Republic of Kosovo", "République du Kosovo")},
    **{k: ("KR", None, None) for k in ("South Korea", "Corée du Sud", "Corée", "Korea", "Republic of Korea",
                                       "République de Corée", "Coree du Sud")},
    **{k: ("KP", None, None) for k in ("North Korea", "Corée du Nord")},
    **{k: ("MM", None, None) for k in ("Burma", "Birmanie")},
    **{k: ("SZ", None, None) for k in ("Swaziland",)},
    **{k: ("MK", None, None) for k in ("Macedonia", "Macédoine", "FYROM", "ARYM", "Republic of Macedonia",
                                       "Macédoine du Nord")},
    **{k: ("CZ", None, None) for k in ("Czechia", "Tchéquie", "Tchecoslovaquie", "Czechoslovakia",
                                       "Tchécoslovaquie")},
    **{k: ("NL", None, None) for k in ("Holland", "Hollande", "Nederland")},
    **{k: ("CV", None, None) for k in ("Cape Verde", "Cap Vert", "Cabo Verde", "Iles du Cap-Vert")},
    **{k: ("VA", None, None) for k in ("Vatican", "Holy See", "Saint-Siège", "Cité du Vatican")},
    **{k: ("TL", None, None) for k in ("East Timor", "Timor oriental", "Timor Leste")},
    **{k: ("DE", None, None) for k in ("RFA", "RDA", "West Germany", "East Germany", "Allemagne de l'Ouest",
                                       "Allemagne de l'Est", "Deutschland", "Federal Republic of Germany",
                                       "République fédérale d'Allemagne", "GDR", "FRG")},
    **{k: ("BF", None, None) for k in ("Burkina", "Haute-Volta", "Upper Volta")},
    **{k: ("BJ", None, None) for k in ("Dahomey",)},
    **{k: ("CF", None, None) for k in ("Centrafrique", "RCA")},
    **{k: ("MU", None, None) for k in ("Ile Maurice", "Île Maurice", "Maurice (île)")},
    **{k: ("RU", None, None) for k in ("Russia", "Russie", "URSS", "USSR", "Union soviétique")},
    **{k: ("BY", None, None) for k in ("Biélorussie", "Belorussia", "Byelorussia", "Bélarus")},
    **{k: ("MD", None, None) for k in ("Moldavie",)},
    **{k: ("SY", None, None) for k in ("Syria", "Syrie")},
    **{k: ("IR", None, None) for k in ("Iran", "Perse", "Persia")},
    **{k: ("LA", None, None) for k in ("Laos",)},
    **{k: ("VN", None, None) for k in ("Vietnam", "Viet Nam", "Viêt Nam", "Viêt-nam")},
    **{k: ("TW", None, None) for k in ("Taiwan", "Taïwan", "Formose", "Formosa")},
    **{k: ("CN", None, None) for k in ("RPC", "République populaire de Chine", "Chine populaire", "PRC",
                                       "People's Republic of China", "Chine continentale")},
    **{k: ("TZ", None, None) for k in ("Tanzania", "Tanzanie")},
    **{k: ("BO", None, None) for k in ("Bolivia", "Bolivie")},
    **{k: ("VE", None, None) for k in ("Venezuela",)},
    **{k: ("BA", None, None) for k in ("Bosnia", "Bosnie")},
    **{k: ("SA", None, None) for k in ("Arabie saoudite", "Arabie Saoudite", "Saudi Arabia")},
    **{k: ("AE", None, None) for k in ("UAE", "EAU", "Emirats", "Émirats")},
    **{k: ("LK", None, None) for k in ("Ceylan", "Ceylon", "Sri Lanka")},
    **{k: ("GR", None, None) for k in ("Hellas", "Grece")},
    **{k: ("ES", None, None) for k in ("España", "Espana")},
    **{k: ("IT", None, None) for k in ("Italia",)},
    **{k: ("PL", None, None) for k in ("Polska",)},
    **{k: ("AT", None, None) for k in ("Österreich", "Osterreich")},
    **{k: ("CH", None, None) for k in ("Schweiz", "Svizzera", "Suisse (Confédération)")},
    **{k: ("GQ", None, None) for k in ("Guinée équatoriale", "Equatorial Guinea")},
    **{k: ("GW", None, None) for k in ("Guinée-Bissau", "Guinea-Bissau", "Guinée Bissau")},
    **{k: ("GN", None, None) for k in ("Guinée", "Guinée-Conakry", "Guinée Conakry", "Guinea")},
    **{k: ("FR", None, None) for k in ("France", "France métropolitaine", "DOM", "Outre-mer")},
}


@dataclass(frozen=True)
class CountryRef:
    """A country as written: its ISO2 code, and what the writing adds (a nation of the United
    Kingdom; Québec, which is a region of Canada)."""

    iso2: str
    nation: str | None = None
    region: str | None = None


@lru_cache(maxsize=1)
def _aliases() -> dict[str, CountryRef]:
    return {normalize_name(k): CountryRef(*v) for k, v in COUNTRY_ALIASES.items()}


def resolve_country_ref(value: str) -> CountryRef | None:
    """The country a value names: an ISO 3166-1 alpha-2/alpha-3 code, a French or English name
    (ISO 3166, CLDR), or a form people write ("Turkey", "RDC", "Angleterre", "Québec")."""
    value = value.strip()
    if not value:
        return None
    alpha2, alpha3 = _country_codes()
    upper = value.upper()
    if len(upper) == 2 and upper in alpha2:
        return CountryRef(alpha2[upper])
    if len(upper) == 3 and upper in alpha3:
        return CountryRef(alpha3[upper])
    key = normalize_name(value)
    alias = _aliases().get(key)
    if alias is not None:
        return alias
    iso2 = _country_names().get(key)
    if iso2 is None and " " in key:  # "République du Sénégal", "Kingdom of Morocco", "the Netherlands"
        for prefix in _STATE_WORDS:
            if key.startswith(prefix + " "):
                iso2 = _country_names().get(key[len(prefix) + 1:])
                if iso2:
                    break
    return CountryRef(iso2) if iso2 else None


_STATE_WORDS = tuple(normalize_name(w) for w in (
    "République de", "République du", "République d'", "République", "Royaume de", "Royaume du", "Royaume",
    "Republic of", "Republic of the", "Kingdom of", "Kingdom of the", "State of", "Etat de", "Etat du",
    "Principauté de", "Principality of", "Sultanat d'", "Sultanate of", "Grand-Duché de", "Grand Duchy of",
    "the", "Federal Republic of", "République fédérale du", "République fédérale d'",
))


def resolve_country(value: str) -> str | None:
    """ISO2 for "JP", "JPN", "Japon", "Japan", "bénin", "Benin", "Turkey", "RDC"... or None when unknown."""
    ref = resolve_country_ref(value)
    return ref.iso2 if ref else None


@lru_cache(maxsize=512)
def country_name(iso2: str, lang: str = "fr") -> str:
    """The CLDR name of a country ("Japon"), for summaries and reports."""
    from babel import Locale

    return Locale(lang).territories.get(iso2, iso2)


# --- documentation -----------------------------------------------------------------------------


def describe(lang: str = "fr") -> str:
    """The schema as text, for `atlasmaps schema` and the README."""
    fr = lang == "fr"
    lines = [
        "Une ligne par partenariat. En-têtes : casse, accents, espaces et tirets ignorés."
        if fr
        else "One row per partnership. Headers: case, accents, spaces and hyphens ignored.",
        "Formats : CSV (UTF-8, UTF-8 BOM, Windows-1252 ; séparateur , ; ou tabulation), XLSX, JSON."
        if fr
        else "Formats: CSV (UTF-8, UTF-8 BOM, Windows-1252; comma, semicolon or tab), XLSX, JSON.",
        "",
    ]
    width = max(len(c.name) for c in COLUMNS)
    for c in COLUMNS:
        need = ("obligatoire" if fr else "required") if c.required else ("facultatif" if fr else "optional")
        lines.append(f"{c.name:<{width}}  {need:<11}  {c.fr if fr else c.en}")
        if c.aliases:
            lines.append(f"{'':<{width}}  {'':<11}  {'alias' if fr else 'aliases'}: {', '.join(c.aliases)}")
    lines += [
        "",
        ("pays : code ISO 3166-1 alpha-2 ou alpha-3, ou nom du pays en français ou en anglais (« Japon », "
         "« Bénin », « Benin »)." if fr else
         "pays: ISO 3166-1 alpha-2 or alpha-3 code, or the country's French or English name."),
        ("Les balises HTML dans les noms sont retirées (avertissement), le texte est gardé."
         if fr else "HTML tags in names are removed (with a warning); the text is kept."),
        ("--columns correspondances.yaml : « nom_canonique: En-tête du fichier », une par ligne."
         if fr else "--columns mapping.yaml: 'canonical_name: Header in the file', one per line."),
        *_reading_rules(fr),
    ]
    return "\n".join(lines)


def _reading_rules(fr: bool) -> list[str]:
    """How files are read: sheets, duplicates, dates, limits (figures from `readers.Limits`)."""
    from atlasmaps.data.readers import Limits

    lim = Limits()
    env = Limits.ENV
    if fr:
        return [
            "XLSX : toutes les feuilles visibles dont l'en-tête a les colonnes obligatoires sont lues ; les "
            "feuilles masquées et les autres sont ignorées, avec un avertissement qui les nomme. Une formule "
            "sans valeur enregistrée est une erreur (ouvrir et enregistrer le classeur dans Excel).",
            "Une colonne donnée deux fois (« pays » et « country ») est une erreur. Les colonnes vides après "
            "l'en-tête (« a;b;c;; » d'Excel) sont ignorées.",
            "annee : une année (1982) ou une date réelle (1982-03-15, 15/03/1982) ; 1982-13-45 est une erreur.",
            f"Limites : fichier de {lim.input_mb} Mo ({env['input_mb']}), XLSX décompressé de {lim.xlsx_mb} Mo "
            f"({env['xlsx_mb']}), {lim.rows} lignes ({env['rows']}), JSON imbriqué sur {lim.json_depth} "
            f"niveaux ({env['json_depth']}).",
        ]
    return [
        "XLSX: every visible sheet whose header has the required columns is read; hidden and other sheets "
        "are skipped, with a warning naming them. A formula with no saved value is an error (open and save "
        "the workbook in Excel).",
        "A column given twice ('pays' and 'country') is an error. Empty columns after the header (Excel's "
        "'a;b;c;;') are ignored.",
        "annee: a year (1982) or a real date (1982-03-15, 15/03/1982); 1982-13-45 is an error. "
        "'vers 1960', '1960 ?' and '1957-1960' are read as 1960 and 1957, with a warning.",
        f"Limits: {lim.input_mb} MB per file ({env['input_mb']}), {lim.xlsx_mb} MB unzipped XLSX "
        f"({env['xlsx_mb']}), {lim.rows} rows ({env['rows']}), JSON nested {lim.json_depth} levels "
        f"({env['json_depth']}).",
    ]
