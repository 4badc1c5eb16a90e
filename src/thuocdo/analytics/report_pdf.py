"""PDF rendering of the annual report (ReportLab; charts drawn with Matplotlib).

Text uses DejaVu Sans, the TrueType font shipped inside the Matplotlib package, which covers
Vietnamese; nothing is read from the system's fonts.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from thuocdo.analytics.report import ReportData

_FONTS_READY = False


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _register_fonts() -> None:
    global _FONTS_READY
    if _FONTS_READY:
        return
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("DejaVuSans", str(_font_dir() / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(_font_dir() / "DejaVuSans-Bold.ttf")))
    _FONTS_READY = True


def _chart_png(kind: str, labels: list[str], values: list[float | None], title: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    font = font_manager.FontProperties(fname=str(_font_dir() / "DejaVuSans.ttf"), size=8)
    fig, ax = plt.subplots(figsize=(6.2, 2.6), dpi=150)
    # a suppressed (or missing) value is never drawn as a zero: its place is marked "—"
    shown = [i for i, v in enumerate(values) if v is not None]
    hidden = [i for i, v in enumerate(values) if v is None]
    vals = [float(values[i]) for i in shown]  # type: ignore[arg-type]
    if kind == "barh":
        ax.barh(shown, vals, color="#2f8f5b")
        ax.set_yticks(range(len(values)))
        ax.set_yticklabels(labels, fontproperties=font)
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        for i in hidden:
            ax.text(1, i, "—", va="center", fontproperties=font)
    else:
        if kind == "line":
            # NaN breaks the line at a hidden year instead of bridging it
            line = [float("nan") if v is None else float(v) for v in values]
            ax.plot(range(len(values)), line, marker="o", color="#2f6f9f")
            ax.set_xticks(range(len(values)))
            ax.set_xticklabels(labels, fontproperties=font)
        else:
            ax.bar(shown, vals, color="#2f6f9f")
            ax.set_xticks(range(len(values)))
            ax.set_xticklabels(labels, fontproperties=font, rotation=20, ha="right")
        ax.set_xlim(-0.6, len(values) - 0.4)
        ax.set_ylim(0, 100)
        for i in hidden:
            ax.text(i, 2, "—", ha="center", fontproperties=font)
    ax.set_title(
        title,
        fontproperties=font_manager.FontProperties(
            fname=str(_font_dir() / "DejaVuSans-Bold.ttf"), size=9
        ),
    )
    for tick in ax.get_xticklabels() + ax.get_yticklabels():
        tick.set_fontproperties(font)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _fmt(x: Any) -> str:
    """A number in the active language's notation (47,99 in Vietnamese, 47.99 in English)."""
    from django.utils.formats import number_format

    if x is None:
        return "—"
    if isinstance(x, float):
        return number_format(x, 2, use_l10n=True)
    return str(x)


def _pct(share: float | None) -> str:
    from django.utils.formats import number_format

    return "—" if share is None else number_format(100 * share, 1, use_l10n=True) + "%"


def render_pdf(data: ReportData) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        Image,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    _register_fonts()
    body = ParagraphStyle("body", fontName="DejaVuSans", fontSize=9.5, leading=13)
    h1 = ParagraphStyle("h1", parent=body, fontName="DejaVuSans-Bold", fontSize=16, leading=20)
    h2 = ParagraphStyle(
        "h2", parent=body, fontName="DejaVuSans-Bold", fontSize=12, leading=16, spaceBefore=8
    )
    table_style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), "DejaVuSans"),
            ("FONTNAME", (0, 0), (-1, 0), "DejaVuSans-Bold"),
            ("FONTSIZE", (0, 0), (-1, -1), 8.5),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    s = data.summary
    story: list[Any] = [
        Paragraph(data.title, h1),
        Paragraph(f"{data.campaign.name} · {data.area_name}", body),
        Paragraph(
            f"{_('Criteria set')}: {data.campaign.framework.name_vi} ({data.campaign.framework.label})",
            body,
        ),
        Spacer(1, 0.4 * cm),
        Paragraph(_("Summary"), h2),
        Table(
            [
                [_("Respondents"), _fmt(s.get("n"))],
                [_("Mean score"), _fmt(s.get("mean"))],
                [_("95% interval"), f"{_fmt(s.get('ci_low'))} – {_fmt(s.get('ci_high'))}"],
            ],
            colWidths=[6 * cm, 8 * cm],
            style=table_style,
        ),
    ]
    levels = s.get("levels") or {}
    level_labels = [data.level_names.get(code, code) for code in data.level_names]
    level_vals = [
        None if levels.get(code) is None else 100 * levels[code] for code in data.level_names
    ]
    story += [
        Paragraph(_("Level distribution"), h2),
        Image(
            io.BytesIO(
                _chart_png(
                    "bar", level_labels, level_vals, _("Share of organisations by level (%)")
                )
            ),
            width=16 * cm,
            height=6.7 * cm,
        ),
    ]
    pillars = s.get("pillars") or {}
    story += [
        Paragraph(_("Pillar profile"), h2),
        Image(
            io.BytesIO(
                _chart_png(
                    "barh",
                    [data.pillar_names.get(c, c) for c in data.pillar_names],
                    [pillars.get(c) for c in data.pillar_names],
                    _("Mean score by pillar"),
                )
            ),
            width=16 * cm,
            height=6.7 * cm,
        ),
        PageBreak(),
        Paragraph(_("Rankings"), h2),
    ]
    rank_rows = [[_("Rank"), _("Unit"), _("Respondents"), _("Mean score"), _("95% interval")]]
    for r in data.by_unit[:40]:
        code = r[data.unit_level]
        rank_rows.append(
            [
                _fmt(r.get("rank")),
                data.unit_names.get(code, code),
                _fmt(r.get("n")),
                _fmt(r.get("mean")),
                f"{_fmt(r.get('ci_low'))} – {_fmt(r.get('ci_high'))}",
            ]
        )
    story.append(
        Table(
            rank_rows,
            repeatRows=1,
            style=table_style,
            colWidths=[1.5 * cm, 6.5 * cm, 2.5 * cm, 2.5 * cm, 3.5 * cm],
        )
    )
    story.append(Paragraph(_("Top gaps"), h2))
    gap_rows = [[_("Criterion"), _("Code"), _("Share unmet")]]
    for g in data.unmet:
        gap_rows.append(
            [
                Paragraph(str(g.get("name") or g["criterion"]), body),
                g["criterion"],
                _pct(g.get("share")),
            ]
        )
    story.append(
        Table(gap_rows, repeatRows=1, style=table_style, colWidths=[11 * cm, 2.2 * cm, 3 * cm])
    )
    if len(data.trend) > 1:
        story += [
            Paragraph(_("Trend over years"), h2),
            Image(
                io.BytesIO(
                    _chart_png(
                        "line",
                        [str(t["year"]) for t in data.trend],
                        [t["mean"] for t in data.trend],
                        _("Mean score by year"),
                    )
                ),
                width=16 * cm,
                height=6.7 * cm,
            ),
        ]
    from thuocdo.analytics.report import method_note

    story += [Paragraph(_("Method"), h2), Paragraph(method_note(data), body)]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        title=data.title,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.8 * cm,
        bottomMargin=1.8 * cm,
    )
    doc.build(story)
    return buf.getvalue()
