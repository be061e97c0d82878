"""`atlasmaps schema` and `atlasmaps validate`: describe the data, and check a file's join.

Thin on purpose: the work is in atlasmaps.data and atlasmaps.join (imported inside the commands,
so `atlasmaps --help` does not pay for geopandas).
"""

from __future__ import annotations

from pathlib import Path

import click

REPORT_COLUMNS = ("row", "id", "status", "side", "column", "method", "precision", "reason", "candidates")
JOINED_COLUMNS = (
    "row", "id", "collectivite", "type_collectivite", "french_code", "french_siren", "french_name", "french_type",
    "french_status", "french_method", "french_precision", "partenaire", "pays", "pays_saisi", "partner_name",
    "partner_lon", "partner_lat", "admin1_name", "admin1_code", "partner_status", "partner_method",
    "partner_precision", "status", "reason", "candidates",
)
# Methods worth a line in the report although the row is drawn: a person may want to check them.
CHECK_METHODS = ("fuzzy", "largest homonym", "former commune", "former région", "alternate name", "admin-2 name")


@click.command()
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
def schema(lang: str) -> None:
    """Describe the partnership data columns: names, aliases, what is required.

    \b
    Example:
      atlasmaps schema --lang en
    """
    from atlasmaps.data.schema import describe

    click.echo(describe(lang))


@click.command()
@click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of every row not cleanly matched (row, status, side, reason, candidates).")
@click.option("--joined", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of every row with what it was resolved to.")
@click.option("--columns", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML mapping canonical column names to this file's headers.")
@click.option("--corrections", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV or YAML of corrections (name -> place id, INSEE/SIREN code, position or 'ignorer').")
@click.option("--raw-csv", is_flag=True,
              help="Write the CSV files as they are, for programs (no apostrophe before = + - @).")
@click.pass_context
def validate(ctx: click.Context, data: Path, report: Path | None, joined: Path | None, columns: Path | None,
             corrections: Path | None, raw_csv: bool) -> None:
    """Check a data file and report the join.

    With --report R.csv, also writes R.corrections.csv: one line per unresolved name with its
    candidates, to fill in and pass back with --corrections.
    Exit 0 when every row can be mapped, 1 when some cannot, 2 when the file cannot be read.
    Text cells of the CSV files that Excel would run as a formula (starting with = + - @, a tab or
    a carriage return) get a leading apostrophe (a filled-in corrections template still matches);
    --raw-csv writes them unchanged.

    \b
    Example:
      atlasmaps validate partenariats.csv --report rapport.csv --joined joint.csv
      atlasmaps validate partenariats.csv --corrections rapport.corrections.csv
    """
    from atlasmaps.atomic import check_writable_dir, refuse_overwrite
    from atlasmaps.commands.summary import print_join_summary
    from atlasmaps.join.corrections import TEMPLATE_COLUMNS, template_rows
    from atlasmaps.pipeline import load_joined

    # Before reading anything: no output may replace an input (or another output), and all can be written.
    template = report.with_name(report.stem + ".corrections.csv") if report else None
    outputs = [(option, path) for option, path in (("--report", report), ("--report template", template),
                                                   ("--joined", joined)) if path]
    inputs = {"data file": data, "--columns file": columns, "--corrections file": corrections}
    refuse_overwrite(outputs, inputs)
    if report and joined:
        refuse_overwrite([("--joined", joined)], {"--report file": report, "corrections template": template})
    for option, path in outputs:
        check_writable_dir(path.parent, option)
    result = load_joined(data, columns=columns, corrections=corrections)
    print_join_summary(result, err=False)
    if report:
        _write_csv(report, REPORT_COLUMNS + sheet_column(result), report_rows(result), raw=raw_csv)
        click.echo(f"report: {report}")
        _write_csv(template, TEMPLATE_COLUMNS, template_rows(result), raw=raw_csv)
        click.echo(f"corrections template: {template}")
    if joined:
        _write_csv(joined, JOINED_COLUMNS + sheet_column(result), joined_rows(result), raw=raw_csv)
        click.echo(f"joined: {joined}")
    usable = not result.problems and all(r.mappable for r in result.rows)
    ctx.exit(0 if usable else 1)


def sheet_column(result) -> tuple[str, ...]:  # noqa: ANN001
    """("sheet",) when the rows come from several sheets of a workbook, whose row numbers repeat."""
    sheets = {p.partnership.sheet for p in result.rows} | {p.sheet for p in result.problems}
    return ("sheet",) if sheets - {None} else ()


def report_rows(result) -> list[dict[str, object]]:  # noqa: ANN001
    """One line per problem: invalid rows, and each side of a row that is not cleanly matched."""
    from atlasmaps.model import MatchStatus

    out: list[dict[str, object]] = []
    for p in result.problems:
        out.append({"row": p.row or "", "id": "", "status": "invalid", "side": "", "column": p.column or "",
                    "reason": p.message, "candidates": "", "sheet": p.sheet or ""})
    for w in result.extra.get("warnings", ()):
        out.append({"row": w.row or "", "id": "", "status": "warning", "side": "", "column": w.column or "",
                    "reason": w.message, "candidates": "", "sheet": w.sheet or ""})
    for r in result.rows:
        for side, column, match in (("french", "collectivite", r.french_match),
                                    ("partner", "partenaire", r.partner_match)):
            method = match.method.value if match.method else ""
            if match.status is MatchStatus.MATCHED and method not in CHECK_METHODS and not (
                    match.reason and "inferred" in match.reason):
                continue
            out.append({
                "row": r.partnership.row, "id": r.partnership.id,
                "status": match.status.value if match.status is not MatchStatus.MATCHED else "matched, to check",
                "side": side, "column": column, "method": method,
                "precision": match.precision.value if match.precision else "",
                "reason": match.reason or "", "candidates": "; ".join(match.candidates),
                "sheet": r.partnership.sheet or "",
            })
    return sorted(out, key=lambda d: (int(d["row"] or 0), str(d["side"])))


def joined_rows(result) -> list[dict[str, object]]:  # noqa: ANN001
    """Every row with its French unit, partner place, admin-1 unit, statuses and methods."""
    out: list[dict[str, object]] = []
    for r in result.rows:
        p, f, pp = r.partnership, r.french, r.partner
        reasons = [m.reason for m in (r.french_match, r.partner_match) if m.reason]
        candidates = [*r.french_match.candidates, *r.partner_match.candidates]
        out.append({
            "row": p.row, "id": p.id, "collectivite": p.collectivite,
            "type_collectivite": p.type_collectivite.value if p.type_collectivite else "",
            "french_code": f.code if f else "", "french_siren": (f.siren or "") if f else "",
            "french_name": f.name if f else "", "french_type": f.kind.value if f else "",
            "french_status": r.french_match.status.value,
            "french_method": r.french_match.method.value if r.french_match.method else "",
            "french_precision": r.french_match.precision.value if r.french_match.precision else "",
            "partenaire": p.partenaire, "pays": p.pays, "pays_saisi": p.pays_saisi or "",
            "partner_name": pp.name if pp else "",
            "partner_lon": f"{pp.lon:.5f}" if pp and pp.lon is not None else "",
            "partner_lat": f"{pp.lat:.5f}" if pp and pp.lat is not None else "",
            "admin1_name": (pp.admin1_name or "") if pp else "", "admin1_code": (pp.admin1_id or "") if pp else "",
            "partner_status": r.partner_match.status.value,
            "partner_method": r.partner_match.method.value if r.partner_match.method else "",
            "partner_precision": r.partner_match.precision.value if r.partner_match.precision else "",
            "status": r.status.value, "reason": " / ".join(reasons), "candidates": "; ".join(candidates),
            "sheet": p.sheet or "",
        })
    for prob in result.problems:
        out.append({"row": prob.row or "", "status": "invalid", "reason": str(prob), "sheet": prob.sheet or ""})
    return sorted(out, key=lambda d: int(d["row"] or 0))


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, object]], raw: bool = False) -> None:
    """UTF-8 with BOM so Excel opens accents correctly; written atomically. Cells are neutralised
    against formula injection unless `raw` (see `atlasmaps.csvcells`)."""
    import csv

    from atlasmaps.atomic import write_atomic

    from atlasmaps.csvcells import neutralise

    clean = (lambda v: v) if raw else neutralise

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow({c: clean(row.get(c, "")) for c in columns})

    write_atomic(path, write)
