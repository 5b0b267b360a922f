"""The RAG badge: never colour alone, always an icon and a word too.

Why this exists: one in twelve men has a colour vision deficiency, and a
ward board is read in poor light from across a room. Every RAG state has a
shape (● ▲ ✓), a word (Red, Amber, Green) and a colour from a
colour-blind-safe set (Okabe-Ito vermillion and yellow, NHS blue for green),
chosen so the three also differ in lightness.
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
    "red": RagStyle("red", "Red", "●", "#D55E00", "#FFFFFF"),
    "amber": RagStyle("amber", "Amber", "▲", "#F0E442", "#212B32"),
    "green": RagStyle("green", "Green", "✓", "#005EB8", "#FFFFFF"),
}
NO_RAG = RagStyle("none", "No target", "○", "#768692", "#FFFFFF")
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
    return '<div class="ws-legend">Key: ' + " ".join(parts) + "</div>"
