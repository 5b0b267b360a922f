"""Every RAG badge is readable at small sizes: text contrast of 4.5:1 or better (WCAG 2.2 AA), computed from the
colours."""

import pytest

from dashboard.common.rag import NO_DATA, NO_RAG, RAG_STYLES, contrast_ratio, legend_html

STYLES = [*RAG_STYLES.values(), NO_RAG, NO_DATA]


@pytest.mark.parametrize("style", STYLES, ids=[s.key for s in STYLES])
def test_badge_text_contrast_is_at_least_aa_for_small_text(style):
    assert contrast_ratio(style.ink, style.colour) >= 4.5


@pytest.mark.parametrize(
    ("ink", "background", "expected"),
    [
        ("#FFFFFF", "#000000", 21.0),  # the WCAG extremes
        ("#FFFFFF", "#FFFFFF", 1.0),
        ("#FFFFFF", "#D55E00", 3.87),  # the former Red badge: fails AA for small text
        ("#FFFFFF", "#B34700", 5.5),  # the Red badge now
    ],
)
def test_contrast_ratio_matches_the_wcag_formula(ink, background, expected):
    assert round(contrast_ratio(ink, background), 2) == expected


def test_the_key_says_that_blue_means_green():
    assert "Green is shown in NHS blue" in legend_html()
