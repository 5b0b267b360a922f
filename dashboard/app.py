"""The dashboard's entry point: it only routes. Run: streamlit run dashboard/app.py

One page per view, each with its own URL:
  /?ward=7A                         ward huddle board (default)
  /wall?wards=7A,7B&rotate=30       matron wall screen (or ?matron=M01)
  /exec                             executive leadership wall
  /status                           data status
  /admin                            administration: audit log, wall screen tokens

Who may open what is decided on each page by dashboard.common.access_gate (config/access.yaml).
"""

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts dashboard/ first on the path, not the project
    sys.path.insert(0, str(ROOT))

VIEWS = Path(__file__).resolve().parent / "views"

st.set_page_config(page_title="Ward safety dashboard", page_icon=":material/health_and_safety:", layout="wide")
pages = [
    st.Page(VIEWS / "huddle.py", title="Ward huddle", icon=":material/groups:", url_path="huddle", default=True),
    st.Page(VIEWS / "wall.py", title="Matron wall", icon=":material/tv:", url_path="wall"),
    st.Page(VIEWS / "exec.py", title="Executive wall", icon=":material/grid_view:", url_path="exec"),
    st.Page(VIEWS / "status.py", title="Data status", icon=":material/fact_check:", url_path="status"),
    st.Page(VIEWS / "admin.py", title="Administration", icon=":material/admin_panel_settings:", url_path="admin"),
]
st.navigation(pages).run()
