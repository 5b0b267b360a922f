"""The dashboard's entry point: it only routes. Run: streamlit run dashboard/app.py

One page per view, each with its own URL:
  /?ward=7A                         ward huddle board (default)
  /wall?wards=7A,7B&rotate=30       matron wall screen (or ?matron=M01, &tiles=ID,ID)
  /exec                             executive leadership wall
  /status                           data status
  /accreditation?ward=7A            ward accreditation: level, visits, and an assessor's form to record one
  /admin                            administration: audit log, wall screen tokens

Who may open what is decided on each page by dashboard.common.access_gate (config/access.yaml); the sidebar lists
only the pages the person may open (dashboard.common.navigation).
"""

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts dashboard/ first on the path, not the project
    sys.path.insert(0, str(ROOT))

from dashboard.common.navigation import render_navigation  # noqa: E402  (needs the project on the path)
from dashboard.common.page_links import PAGES  # noqa: E402

VIEWS = Path(__file__).resolve().parent / "views"

st.set_page_config(page_title="Ward safety dashboard", page_icon=":material/health_and_safety:", layout="wide")
pages = {
    view: st.Page(VIEWS / f"{path}.py", title=title, icon=icon, url_path=path, default=view is next(iter(PAGES)))
    for view, (title, path, icon) in PAGES.items()
}
current = st.navigation(list(pages.values()), position="hidden")
render_navigation(next(view for view, page in pages.items() if page is current or page.url_path == current.url_path))
current.run()
