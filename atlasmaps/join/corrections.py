"""The corrections file: each ambiguity or guess fixed once, and reused at every edition of the Atlas.

A correction names an input as the data writes it — the side (`partenaire` or `collectivite`), the
name, the partner's country and region (or the French side's département) — and says what it is: a
GeoNames place id, an INSEE/SIREN code (French side) or an admin-1 code (partner side), a position
(lat/lon, partner side), or `ignorer` to leave the row off the maps on purpose.

CSV (comma or semicolon, UTF-8) or YAML (a list of mappings), with French or English keys:

    cote;nom;pays;region;place_id;code;latitude;longitude;action
    partenaire;Yokohama;JP;;1848354;;;;
    collectivite;Saint-Denis;;;;93066;;;
    partenaire;Quartier X;SN;;;;14.7;-17.4;

`validate --report R.csv` writes `R.corrections.csv`, a template with one line per unresolved name and
its candidates (with their ids), to fill in and pass back with `--corrections`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from atlasmaps.errors import UnusableInputError
from atlasmaps.textnorm import normalize_name

# accepted headers -> canonical key
_KEYS = {
    "cote": "side", "side": "side", "colonne": "side", "column": "side",
    "nom": "name", "name": "name",
    "pays": "country", "country": "country",
    "region": "region", "departement": "region", "department": "region", "region_partenaire": "region",
    "place_id": "place_id", "geonameid": "place_id", "id_lieu": "place_id", "lieu": "place_id",
    "code": "code", "code_insee": "code", "siren": "code", "code_zone": "code",
    "latitude": "lat", "lat": "lat", "longitude": "lon", "lon": "lon", "lng": "lon",
    "action": "action",
}
_SIDES = {"partenaire": "partner", "partner": "partner", "collectivite": "french", "french": "french",
          "collectivite francaise": "french", "francais": "french"}
_IGNORE = {"ignorer", "ignore", "ignored", "exclure", "exclude"}
TEMPLATE_COLUMNS = ("cote", "nom", "pays", "region", "place_id", "code", "latitude", "longitude", "action",
                    "candidats", "raison", "lignes")


@dataclass(frozen=True)
class Correction:
    side: str  # "partner" | "french"
    name: str
    country: str | None = None  # ISO2, partner side
    region: str | None = None  # partner region / French département, as written
    place_id: str | None = None
    code: str | None = None
    lat: float | None = None
    lon: float | None = None
    ignore: bool = False
    where: str = ""  # "file, row N": for the join's reason


@dataclass
class Corrections:
    """Corrections indexed by (side, name key, country, region key); a correction without a region
    applies to every region."""

    by_key: dict[tuple[str, str, str | None, str | None], Correction] = field(default_factory=dict)
    source: str = ""

    def find(self, side: str, name: str, country: str | None, region: str | None) -> Correction | None:
        key = normalize_name(name)
        region_key = normalize_name(region) if region else None
        return (self.by_key.get((side, key, country, region_key))
                or self.by_key.get((side, key, country, None)))

    def __len__(self) -> int:
        return len(self.by_key)


def load_corrections(path: str | Path) -> Corrections:
    """Read a corrections file; every unusable line is reported with its row and column (exit 2)."""
    from atlasmaps.data.schema import header_key, resolve_country

    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnusableInputError(f"{path}: cannot read the corrections file ({exc.strerror})") from exc
    text = raw.decode("utf-8-sig", errors="replace")
    if path.suffix.lower() in (".yaml", ".yml"):
        records = _yaml_records(path, text)
    else:
        sample = text[:4096]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        rows = list(reader)
        if not rows:
            raise UnusableInputError(f"{path}: the corrections file is empty")
        headers = [_KEYS.get(header_key(h)) for h in rows[0]]
        records = [(n, {h: (c or "").strip() for h, c in zip(headers, row) if h}) for n, row in
                   enumerate(rows[1:], start=2) if any(c.strip() for c in row)]
    out = Corrections(source=str(path))
    errors: list[str] = []
    for n, rec in records:
        where = f"{path}, row {n}"

        def bad(column: str, message: str) -> None:
            errors.append(f"{where}, column '{column}': {message}")  # noqa: B023

        side = _SIDES.get(normalize_name(rec.get("side") or "partenaire"))
        if side is None:
            bad("cote", f"unknown side '{rec.get('side')}' (partenaire or collectivite)")
            continue
        name = rec.get("name") or ""
        if not name:
            bad("nom", "empty name")
            continue
        country = None
        if rec.get("country"):
            country = resolve_country(rec["country"])
            if country is None:
                bad("pays", f"unknown country '{rec['country']}'")
                continue
        lat = lon = None
        if rec.get("lat") or rec.get("lon"):
            try:
                lat, lon = float(rec.get("lat", "").replace(",", ".")), float(rec.get("lon", "").replace(",", "."))
            except ValueError:
                bad("latitude", f"not a position: '{rec.get('lat', '')}', '{rec.get('lon', '')}'")
                continue
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                bad("latitude", f"position {lat:g}, {lon:g} out of range")
                continue
        ignore = normalize_name(rec.get("action") or "") in _IGNORE
        place_id, code = rec.get("place_id") or None, rec.get("code") or None
        if not (ignore or place_id or code or lat is not None):
            bad("action", "says nothing: give a place_id, a code, a latitude/longitude or action 'ignorer'")
            continue
        if side == "partner" and country is None:
            bad("pays", "a partner correction needs its country")
            continue
        if side == "french" and (place_id or lat is not None):
            bad("code", "the French side is corrected with its INSEE or SIREN code (or 'ignorer')")
            continue
        region = rec.get("region") or None
        key = (side, normalize_name(name), country, normalize_name(region) if region else None)
        out.by_key[key] = Correction(side, name, country, region, place_id, code, lat, lon, ignore, where)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise UnusableInputError(errors[0] + more)
    return out


def _yaml_records(path: Path, text: str) -> list[tuple[int, dict[str, str]]]:
    from atlasmaps.yamlsafe import load_text

    data = load_text(text, str(path))  # size, depth and aliases bounded; one line without the file's text
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise UnusableInputError(f"{path}: expected a list of corrections (mappings)")
    from atlasmaps.data.schema import header_key

    return [(i, {_KEYS[header_key(str(k))]: "" if v is None else str(v) for k, v in d.items()
                 if header_key(str(k)) in _KEYS}) for i, d in enumerate(data, start=1)]


def template_rows(result) -> list[dict[str, object]]:  # noqa: ANN001
    """One line per distinct unresolved name (ambiguous, to confirm, unmatched), its candidates with
    their ids and the rows it appears in: the user fills in place_id / code / position / action."""
    from atlasmaps.model import MatchStatus

    lines: dict[tuple, dict[str, object]] = {}
    for r in result.rows:
        p = r.partnership
        for side, name, match, country, region in (
            ("collectivite", p.collectivite, r.french_match, "", p.departement or ""),
            ("partenaire", p.partenaire, r.partner_match, p.pays, p.region_partenaire or ""),
        ):
            if match.status not in (MatchStatus.AMBIGUOUS, MatchStatus.TO_CONFIRM, MatchStatus.UNMATCHED):
                continue
            key = (side, normalize_name(name), country, normalize_name(region))
            line = lines.setdefault(key, {
                "cote": side, "nom": name, "pays": country, "region": region,
                "candidats": " | ".join(match.candidates), "raison": match.reason or "", "lignes": [],
            })
            line["lignes"].append(str(p.row))  # type: ignore[union-attr]
    out = []
    for line in lines.values():
        line["lignes"] = " ".join(line["lignes"])  # type: ignore[arg-type]
        out.append(line)
    return out
