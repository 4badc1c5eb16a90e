"""Reading the PDFs the product writes, with PDFium (the PyPI package ``pypdfium2``): pages
rendered to PNG files, the text of every page, and the images placed on them."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw


def pdf_pages_png(pdf: Path, out_dir: Path, *, dpi: int = 50, prefix: str = "page") -> list[Path]:
    """Every page of ``pdf`` as ``out_dir/<prefix>-N.png`` (N from 1), in page order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pages: list[Path] = []
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for number, page in enumerate(doc, start=1):
            target = out_dir / f"{prefix}-{number}.png"
            page.render(scale=dpi / 72).to_pil().save(target, format="PNG")
            pages.append(target)
    finally:
        doc.close()
    return pages


def pdf_text(pdf: Path | bytes) -> str:
    """The text of every page, pages separated by a form feed."""
    doc = pdfium.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
    try:
        return "\f".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()


def pdf_image_count(pdf: Path | bytes) -> int:
    """How many raster images the pages place (charts drawn as images count one each)."""
    doc = pdfium.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
    try:
        return sum(
            1
            for page in doc
            for _obj in page.get_objects(filter=(pdfium_raw.FPDF_PAGEOBJ_IMAGE,), max_depth=5)
        )
    finally:
        doc.close()
