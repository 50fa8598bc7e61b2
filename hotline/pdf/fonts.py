"""The CJK font every PDF embeds: WenQuanYi Micro Hei, else Zen Hei, else (with a warning in
the log) the non-embedded STSong-Light that shows as boxes where no Chinese font exists."""

import logging
import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)
CANDIDATES = (
    ("WenQuanYiMicroHei", Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")),
    ("WenQuanYiZenHei", Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")),
)
_lock = threading.Lock()
_registered: str | None = None


def cjk_font() -> str:
    """The registered font's name (registered once per process)."""
    global _registered
    with _lock:
        if _registered is None:
            for name, path in CANDIDATES:
                if path.exists():
                    pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
                    _registered = name
                    break
            else:
                log.warning("no embeddable CJK font found: PDFs fall back to STSong-Light")
                pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
                _registered = "STSong-Light"
        return _registered
