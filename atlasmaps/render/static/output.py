"""Writing the drawn figure: PDF, SVG and PNG bytes from one figure, deterministic (fixed metadata
and hash salt), with SVG classes on the groups so cartographers can restyle and tests can count."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any, Sequence

from atlasmaps.render.static import page as PG

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from atlasmaps.style import Style


#: Class attribute added to SVG groups by id prefix (matplotlib writes ids, not classes).
SVG_CLASSES: dict[str, str] = {
    "region": "collectivite region",
    "departement": "collectivite departement",
    "groupement": "collectivite groupement",
    "commune": "collectivite commune",
    "zone": "zone-intervention",
    "partner": "partenaire",
    "arc": "lien",
    "label": "label",
    "leader": "label leader",
    "years": "label annee",
    "legend-entry": "legend-entry",
    "country": "pays",
    "unit": "unite",
    "circle": "cercle",
}


def rc(style: Style) -> dict[str, Any]:
    return {
        "font.family": style.font_family(),
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "none",
        "svg.hashsalt": "atlasmaps",
        "path.simplify": True,
        "axes.unicode_minus": False,
        "figure.dpi": PG.LAYOUT_DPI,
        "savefig.dpi": PG.LAYOUT_DPI,
        "savefig.pad_inches": 0,
    }


def svg_classes(svg: str) -> str:
    """Add `class` attributes to the groups matplotlib gave ids (`<g id="commune-69123">`)."""

    def repl(m: re.Match) -> str:
        gid = m.group(1)
        for prefix in sorted(SVG_CLASSES, key=len, reverse=True):
            if gid.startswith(prefix + "-"):
                return f'<g id="{gid}" class="{SVG_CLASSES[prefix]}"'
        return m.group(0)

    return re.sub(r'<g id="([^"]+)"', repl, svg)


def write(fig: Figure, formats: Sequence[str], dpi: int, annex: Sequence[Figure] = ()) -> dict[str, bytes]:
    """Each format's bytes; the PDF also gets the `annex` pages after the map (PNG and SVG are one page)."""
    files: dict[str, bytes] = {}
    for fmt in formats:
        buf = io.BytesIO()
        if fmt == "pdf":
            meta = {"CreationDate": None, "ModDate": None, "Producer": "atlasmaps", "Creator": "atlasmaps"}
            if annex:
                from matplotlib.backends.backend_pdf import PdfPages

                with PdfPages(buf, metadata=meta) as pdf:
                    for page in (fig, *annex):
                        pdf.savefig(page)
            else:
                fig.savefig(buf, format="pdf", metadata=meta)
            files["pdf"] = buf.getvalue()
        elif fmt == "svg":
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "atlasmaps"})
            files["svg"] = svg_classes(buf.getvalue().decode("utf-8")).encode("utf-8")
        elif fmt == "png":
            # Whole pixels, rounded (A4 at 300 dpi is 3508 x 2480): matplotlib truncates, so size
            # the figure a hair above the rounded count for this write only.
            w_in, h_in = fig.get_size_inches()
            px_w, px_h = round(w_in * dpi), round(h_in * dpi)
            fig.set_size_inches((px_w + 0.01) / dpi, (px_h + 0.01) / dpi)
            try:
                fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": "atlasmaps"},
                            pil_kwargs={"compress_level": 1})
            finally:
                fig.set_size_inches(w_in, h_in)
            files["png"] = buf.getvalue()
        else:
            raise ValueError(f"the static renderer writes pdf, svg and png, not {fmt!r}")
    return files
