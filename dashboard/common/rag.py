"""The RAG badge: never colour alone, always an icon and a word too.

Why this exists: one in twelve men has a colour vision deficiency, and a
ward board is read in poor light from across a room. Every RAG state has a
shape (● ▲ ✓), a word (Red, Amber, Green) and a colour from a
colour-blind-safe set (Okabe-Ito vermillion, darkened, and yellow; NHS blue for Green,
because NHS green and vermillion look alike to a deuteranope), chosen so the three also
differ in lightness. Blue meaning Green is said in every key (``legend_html``). Every badge's
text has at least 4.5:1 contrast on its colour (WCAG 2.2 AA for small text).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class RagStyle:
    key: str
    word: str
    icon: str
    colour: str
    ink: str  # text colour on the badge

    @property
    def label(self) -> str:
        """'● Red': the icon and the word, as text."""
        return f"{self.icon} {self.word}"


RAG_STYLES: dict[str, RagStyle] = {
    "red": RagStyle("red", "Red", "●", "#B34700", "#FFFFFF"),  # Okabe-Ito vermillion darkened to 5.5:1 under white
    "amber": RagStyle("amber", "Amber", "▲", "#F0E442", "#212B32"),
    "green": RagStyle("green", "Green", "✓", "#005EB8", "#FFFFFF"),
}
NO_RAG = RagStyle("none", "No target", "○", "#4C6272", "#FFFFFF")
NO_DATA = RagStyle("nodata", "No data", "?", "#AEB7BD", "#212B32")

# Worst first: the order wards are ranked in when they need support.
RAG_ORDER = ("red", "amber", "green")


def rag_style(rag: str | None, has_thresholds: bool = True) -> RagStyle:
    """The style of a stored RAG value; a metric without thresholds reads 'No target', a missing value 'No data'."""
    if rag in RAG_STYLES:
        return RAG_STYLES[rag]  # type: ignore[index]
    return NO_DATA if has_thresholds else NO_RAG


def badge_html(rag: str | None, has_thresholds: bool = True, extra_class: str = "") -> str:
    """A pill with the icon and the word in the RAG colour."""
    style = rag_style(rag, has_thresholds)
    return (
        f'<span class="ws-badge ws-badge-{style.key} {escape(extra_class)}" '
        f'style="background:{style.colour};color:{style.ink}">{escape(style.label)}</span>'
    )


def legend_html() -> str:
    """The key to the colours, shown wherever RAG appears in a grid."""
    parts = [badge_html(k) for k in RAG_ORDER] + [badge_html(None, has_thresholds=False), badge_html(None)]
    return '<div class="ws-legend">Key: ' + " ".join(parts) + " (Green is shown in NHS blue)</div>"


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.2 relative luminance of '#RRGGBB'."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(ink: str, background: str) -> float:
    """WCAG 2.2 contrast ratio between two colours (1 to 21)."""
    a, b = sorted((relative_luminance(ink), relative_luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)
