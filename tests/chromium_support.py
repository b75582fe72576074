"""Headless Chromium for the printing and web-board tests: print a page (a file or a URL) to PDF and read
it back with pypdf (page count, page size, text, fonts).

Debian's `chromium` package (CI installs it, .ci/run); without it the tests skip, unless
LAWDRILL_REQUIRE_CHROMIUM=1 (CI), where a missing browser is a failure. The flags keep the browser off the
network and out of the user's profile: a fresh --user-data-dir per call, no background networking, no
component updates, no sync, no QUIC.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

A4_POINTS = (595.28, 841.89)  # 210 mm x 297 mm
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--no-pdf-header-footer"]


def _missing(what: str) -> None:
    if os.environ.get("LAWDRILL_REQUIRE_CHROMIUM") == "1":
        pytest.fail(f"LAWDRILL_REQUIRE_CHROMIUM=1 but {what}")
    pytest.skip(f"{what} (.ci/run installs it)")


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        _missing("headless Chromium is not installed (apt-get install -y chromium)")
    # Chinese text needs a CJK font installed: without one the pages print as boxes.
    fc = shutil.which("fc-list")
    if fc is not None:
        fonts = subprocess.run([fc, ":lang=zh", "family"], capture_output=True, text=True, timeout=60).stdout
        if not fonts.strip():
            _missing("no CJK font is installed (apt-get install -y fonts-noto-cjk)")
    assert exe is not None
    return exe


def print_pdf(target: str | Path, out: Path, *, timeout: float = 120) -> Path:
    """Print `target` (a file path or an http:// URL) to `out` with headless Chromium."""
    exe = chromium()
    url = target if isinstance(target, str) and target.startswith("http") else Path(target).resolve().as_uri()
    profile = out.parent / f"{out.stem}-profile"
    cmd = [exe, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={out}", url]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    assert out.is_file() and out.stat().st_size > 0, f"chromium printed nothing:\n{proc.stderr[-2000:]}"
    return out


class Pdf:
    def __init__(self, path: Path):
        from pypdf import PdfReader

        self.reader = PdfReader(path)

    @property
    def pages(self) -> int:
        return len(self.reader.pages)

    def sizes(self) -> set[tuple[int, int]]:
        """Each page's size in whole points (A4 is 595 x 842)."""
        return {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in self.reader.pages}

    def text(self) -> str:
        """The pages' text. NFKC: the CJK fonts map some ideographs to their Kangxi-radical twins in the
        PDF's ToUnicode table (一 comes out as U+2F00 ⼀), which NFKC folds back."""
        import unicodedata

        return unicodedata.normalize("NFKC", "\n".join(p.extract_text() or "" for p in self.reader.pages))

    def fonts(self) -> set[str]:
        """The names of the fonts the pages use (Chromium embeds Type3 fonts named in their descriptor:
        AAAAAA+NotoSansCJKsc-Regular)."""
        names: set[str] = set()
        for p in self.reader.pages:
            res: Any = p.get("/Resources")
            fonts = res.get_object().get("/Font") if res is not None else None
            for f in (fonts.get_object().values() if fonts is not None else ()):
                f = f.get_object()
                desc = f.get("/FontDescriptor")
                if desc is None and f.get("/DescendantFonts"):
                    desc = f["/DescendantFonts"][0].get_object().get("/FontDescriptor")
                name = desc.get_object().get("/FontName") if desc is not None else f.get("/BaseFont")
                names.add(str(name or "").split("+")[-1])
        return names


def cjk_font(pdf: Pdf) -> bool:
    """Whether the Chinese text was set in a CJK font (not in tofu boxes of a Latin fallback)."""
    return any(("CJK" in f or "Han" in f or "WenQuanYi" in f) for f in pdf.fonts())


def is_a4(pdf: Pdf) -> bool:
    return pdf.sizes() == {(round(A4_POINTS[0]), round(A4_POINTS[1]))}


def contains(text: str, needle: str) -> bool:
    """Whether the PDF text holds `needle`, read the way a PDF gives text back: line breaks and spaces may
    fall anywhere (a cell wraps), fullwidth forms come back NFKC-folded (（A1） as (A1)), and an ideograph
    may come back as its CJK-radical twin (麦 as ⻨: one glyph of the font serves both code points)."""
    import re
    import unicodedata

    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    pattern = "".join(f"(?:{re.escape(c)}|[\u2e80-\u2fdf])" if "\u4e00" <= c <= "\u9fff" else re.escape(c)
                      for c in re.sub(r"\s+", "", unicodedata.normalize("NFKC", needle)))
    return re.search(pattern, flat) is not None
