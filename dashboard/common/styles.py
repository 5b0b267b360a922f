"""The CSS of the boards: a light ward board, and a dark kiosk theme scoped to the wall page.

Why this exists: tiles are HTML so that a RAG state always shows an icon, a
word and a colour, and so a wall screen can be read from four metres. The
stylesheets live here, once; pages inject the one they need.
"""

from __future__ import annotations

import streamlit as st

BOARD_CSS = """
/* the first line starts below the app's header (3.75rem), which hides what scrolls under it */
[data-testid="stMainBlockContainer"]{padding:4rem 1.5rem 2rem 1.5rem}
.ws-strip{font-size:0.9rem;padding:6px 12px;border-radius:4px;background:#E8EDEE;color:#212B32;white-space:nowrap;
overflow:hidden;text-overflow:ellipsis}
.ws-strip b{font-weight:700}
.ws-strip-stale{background:#FFF3C4;border-left:6px solid #D55E00}
.ws-banner{margin:6px 0;padding:10px 14px;border-radius:4px;background:#D55E00;color:#fff;font-weight:700;
font-size:1.1rem}
.ws-banner small{font-weight:400;display:block;font-size:0.9rem}
.ws-ward-head h2{margin:0;padding:0;font-size:1.9rem;color:#005EB8}
.ws-ward-head p{margin:0;color:#4C6272;font-size:1rem}
.ws-group{margin:14px 0 4px 0;padding:0 0 2px 0;font-size:1.15rem;font-weight:700;color:#212B32;
border-bottom:2px solid #005EB8}
.ws-tile{background:#fff;border:1px solid #D8DDE0;border-top:8px solid var(--rag,#768692);border-radius:6px;
padding:8px 10px;
  min-height:178px;display:flex;flex-direction:column;gap:2px;box-sizing:border-box}
.ws-tile-group{font-size:0.75rem;text-transform:uppercase;letter-spacing:0.04em;color:#4C6272}
.ws-tile-label{font-size:0.95rem;font-weight:600;line-height:1.2;color:#212B32;min-height:2.3em}
.ws-tile-value{font-size:2.3rem;font-weight:800;line-height:1.05;color:#212B32}
.ws-tile-sub{font-size:0.85rem;color:#4C6272}
.ws-tile-foot{margin-top:auto;display:flex;flex-direction:column;align-items:flex-start;gap:3px}
.ws-badge{display:inline-block;padding:1px 8px;border-radius:999px;font-weight:700;font-size:0.85rem;white-space:nowrap}
.ws-change{font-size:0.85rem;color:#4C6272;white-space:nowrap}
.ws-badge-none{background:transparent !important;color:#4C6272 !important;border:1px solid #AEB7BD;font-weight:600}
.ws-legend{font-size:0.85rem;margin:4px 0 8px 0}
.ws-legend .ws-badge{margin-right:4px}
table.ws-compact,table.ws-staff-grid{border-collapse:collapse;width:100%;background:#fff}
table.ws-compact th,table.ws-compact td{border-bottom:1px solid #D8DDE0;padding:4px 8px;text-align:left;
font-size:0.95rem}
table.ws-compact td.ws-compact-value{font-size:1.2rem;font-weight:800;text-align:right;width:4em}
table.ws-staff-grid caption{caption-side:top;text-align:left;font-size:0.85rem;color:#4C6272}
table.ws-staff-grid th{padding:4px 8px;text-align:left;font-size:1rem}
table.ws-staff-grid td.ws-staff-cell{border:1px solid #D8DDE0;border-left:8px solid var(--rag,#768692);padding:6px 10px;
vertical-align:top}
.ws-staff-count{font-size:1.8rem;font-weight:800;line-height:1.1}
.ws-staff-fill{font-size:0.95rem;color:#212B32;margin-bottom:2px}
/* SPC on a tile: the sparkline and the variation chip (outlined, never filled, so it never reads as a RAG badge) */
.ws-tile-spc{margin-top:4px;padding-top:3px;border-top:1px solid #E8EDEE}
.ws-spark{display:block;width:100%;height:auto}
.ws-spc-line{display:flex;align-items:center;justify-content:space-between;gap:6px;font-size:0.75rem;color:#4C6272}
.ws-spc{display:inline-block;padding:0 6px;border:2px solid var(--spc,#768692);border-radius:4px;font-weight:700;
font-size:0.8rem;
  line-height:1.35;color:#212B32;background:#fff;white-space:nowrap}
.ws-spc-improvement{--spc:#005EB8;color:#005EB8}
.ws-spc-concern{--spc:#ED8B00;color:#8A4B00}
.ws-spc-neutral{--spc:#330072;color:#330072}
.ws-spc-common{--spc:#768692}
.ws-spc-none{--spc:#AEB7BD;border-style:dotted;font-weight:400;color:#4C6272}
.ws-spc-trial{border-style:dashed}
.ws-spc-key{font-size:0.8rem;color:#4C6272;margin:2px 0 0 0;line-height:1.8}
/* executive grid */
.ws-exec-wrap{overflow-x:auto;max-width:100%}
table.ws-exec{border-collapse:collapse;font-size:0.78rem;background:#fff}
table.ws-exec th,table.ws-exec td{border:1px solid #D8DDE0;padding:1px 2px;text-align:center;white-space:nowrap}
table.ws-exec thead th.ws-metric-head{writing-mode:vertical-rl;transform:rotate(180deg);text-align:left;
vertical-align:bottom;height:190px;
  white-space:normal;max-height:190px;font-weight:600;font-size:0.75rem;line-height:1.05;width:2.3em}
table.ws-exec thead th.ws-group-head{background:#E8EDEE;font-size:0.8rem}
table.ws-exec td.ws-ward{text-align:left;font-weight:600;position:sticky;left:0;background:#fff;z-index:1}
table.ws-exec tr.ws-site-row th{text-align:left;background:#005EB8;color:#fff;font-size:0.95rem;padding:4px 8px}
table.ws-exec tr.ws-total td{font-weight:800;background:#E8EDEE}
table.ws-exec tr.ws-trust td{font-weight:800;background:#D8DDE0;border-top:3px solid #212B32}
table.ws-exec td.ws-count{font-weight:700}
.ws-cell{display:block;border-radius:3px;padding:0 2px;font-weight:700;min-width:2.2em}
@media (max-width:1600px){table.ws-exec{font-size:0.68rem}table.ws-exec thead th.ws-metric-head{font-size:0.7rem}
table.ws-exec td.ws-ward{max-width:11em;overflow:hidden;text-overflow:ellipsis}.ws-cell{min-width:2em;padding:0 1px}}
.ws-support{display:flex;flex-wrap:wrap;gap:10px;margin:4px 0 12px 0}
.ws-support-card{background:#fff;border:1px solid #D8DDE0;border-left:8px solid #D55E00;border-radius:6px;
padding:8px 12px;flex:1 1 220px;max-width:320px}
.ws-support-card h4{margin:0;font-size:1.05rem}
.ws-support-card p{margin:2px 0;font-size:0.85rem;color:#4C6272}
/* The one header line wraps rather than cutting off; stale data has its own colour (NHS dark pink), never Red's */
.ws-strip.ws-header{white-space:normal;line-height:1.7}
.ws-strip-stale{border-left-color:#7C2855}
.ws-banner{background:#7C2855}
"""

# Scoped to the wall page: injected only there. Hides every piece of Streamlit chrome (kiosk mode).
# Everything scales with the screen, so one bookmark fits 1024x768 to 3840x2160: the head and foot in vh/vw
# (clamp()), the grid by auto-fit columns no narrower than the screen's share (--wall-cols, from the tile count),
# and inside a tile every size in --u, a unit of the tile itself (container query units: 1% of its height, or
# less on a narrow tile), so a label, a value, a badge and a chip always fit the tile they are in.
WALL_CSS = """
[data-testid="stSidebar"],[data-testid="stSidebarCollapsedControl"],[data-testid="stExpandSidebarButton"],
[data-testid="stHeader"],[data-testid="stAppHeader"],[data-testid="stToolbar"],[data-testid="stDecoration"],
[data-testid="stStatusWidget"],[data-testid="stMainMenu"],#MainMenu,footer{display:none !important}
.stApp,[data-testid="stAppViewContainer"],[data-testid="stMain"]{background:#000 !important;color:#fff}
[data-testid="stMainBlockContainer"],.block-container{padding:1vh 1vw 0 1vw !important;max-width:100% !important}
[data-stale="true"]{opacity:1 !important;transition:none !important}
.wall-root{height:calc(100vh - 1.5vh);display:flex;flex-direction:column;gap:0.8vh;color:#fff;
  font-family:Arial,Helvetica,sans-serif;overflow:hidden}
.wall-head{display:flex;align-items:center;justify-content:space-between;gap:1.5vw;flex:none}
.wall-head-left{display:flex;flex-direction:column;gap:0.3vh;min-width:0;flex:1 1 auto}
.wall-head-right{display:flex;flex-direction:column;align-items:flex-end;gap:0.3vh;min-width:0;flex:0 1 45%}
.wall-ward{font-size:clamp(18px,min(5.2vh,3vw),140px);font-weight:800;line-height:1.05;overflow-wrap:anywhere}
.wall-asat{font-size:clamp(13px,min(3vh,1.9vw),80px);font-weight:700;white-space:nowrap}
.wall-summary{display:flex;flex-wrap:wrap;gap:0.3vh 1.2vw;font-size:clamp(13px,min(3vh,1.8vw),80px);font-weight:800;
line-height:1.1}
.wall-sum-item{border-left:0.6vw solid var(--rag);padding-left:0.5vw;white-space:nowrap}
.wall-root .ws-strip{background:#1B1F22;color:#D8DDE0;font-size:clamp(11px,min(1.8vh,1.1vw),48px);padding:0.2vh 0.6vw;
  white-space:normal;line-height:1.5}
.wall-root .ws-strip-stale{background:#2A1020;color:#fff;border-left:0.5vw solid #E0A0C0}
/* Stale has its own colour (NHS dark pink with a light edge), never Red's orange */
.wall-banner{background:#7C2855;color:#fff;border:0.3vh solid #F0C0D8;font-size:clamp(14px,min(3.2vh,2vw),86px);
font-weight:800;
  padding:0.2vh 1vw;border-radius:6px;line-height:1.2;flex:none}
.wall-banner small{display:block;font-size:0.6em;font-weight:400}
.wall-grid{flex:1 1 auto;min-height:0;display:grid;gap:0.9vh 0.6vw;grid-auto-rows:minmax(0,1fr);
  grid-template-columns:repeat(auto-fit,
    minmax(max(150px,calc((100% - (var(--wall-cols) - 1) * 0.6vw) / var(--wall-cols))),1fr))}
.wall-root .wall-tile{--u:min(1cqh,0.5cqw);background:#1B1F22;border:none;
border-left:max(6px,0.7vw) solid var(--rag,#768692);
  border-radius:0.5vw;padding:0.8vh 0.7vw;min-height:0;min-width:0;overflow:hidden;display:flex;flex-direction:column;
  justify-content:space-between;gap:calc(2 * var(--u));container-type:size}
.wall-root .wall-tile .ws-tile-label{font-size:calc(14 * var(--u));font-weight:700;color:#fff;line-height:1.1;
min-height:0;
  overflow-wrap:anywhere}
.wall-tile-body{display:flex;align-items:center;gap:calc(5 * var(--u));min-width:0}
.wall-root .wall-tile .ws-tile-value{font-size:calc(46 * var(--u));font-weight:800;color:#fff;line-height:1;
white-space:nowrap}
.wall-root .wall-tile .ws-tile-value.wall-value-long{font-size:calc(30 * var(--u))}
.wall-tile-side{display:flex;flex-direction:column;align-items:flex-start;gap:calc(2 * var(--u));min-width:0}
.wall-root .wall-tile .ws-badge{font-size:calc(13 * var(--u));padding:calc(1 * var(--u)) calc(6 * var(--u));
white-space:nowrap}
.wall-root .wall-tile .ws-change{font-size:calc(12 * var(--u));color:#D8DDE0;white-space:nowrap;line-height:1.15}
.wall-tile-foot{display:flex;flex-wrap:wrap;align-items:center;gap:calc(1 * var(--u)) calc(5 * var(--u));min-height:0}
.wall-tile-foot:empty{display:none}
.wall-root .wall-tile .ws-spc{font-size:calc(11 * var(--u));padding:0 calc(4 * var(--u));
border-width:calc(1.5 * var(--u));
  background:transparent;color:#fff;line-height:1.2}
.wall-root .wall-tile .wall-staffing{font-size:calc(11 * var(--u));color:#fff;line-height:1.2;white-space:nowrap}
.wall-root .ws-spc-improvement{--spc:#41B6E6}
.wall-root .ws-spc-concern{--spc:#FFB81C}
.wall-root .ws-spc-neutral{--spc:#B99AE6}
.wall-root .ws-spc-common{--spc:#AEB7BD}
.wall-root .ws-spc-none{--spc:#768692;color:#D8DDE0}
.wall-root .ws-badge-none{background:#4C6272 !important;color:#fff !important;border:none}
/* The foot is read from across a corridor (about 3 m): as large as the summary's small print, never cut */
.wall-foot{display:flex;flex-wrap:wrap;justify-content:space-between;gap:0 2vw;
font-size:clamp(12px,min(2.3vh,1.4vw),62px);
  color:#D8DDE0;padding-bottom:0.4vh;flex:none}
.wall-foot span{white-space:normal}
.wall-empty{font-size:48px;color:#fff;padding:40px}
.st-key-wall_back{position:fixed;right:8px;bottom:4px;z-index:10;opacity:0.55;width:auto !important}
.st-key-wall_back a,.st-key-wall_back p{color:#AEB7BD !important;font-size:0.8rem}
"""


def inject(css: str) -> None:
    """Add a stylesheet to the page (style-only HTML takes no space on the page)."""
    st.html(f"<style>{css}</style>")
