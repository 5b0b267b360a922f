"""Ward accreditation: /accreditation?ward=7A (an assessor records a visit; the ward's team and executives see it)."""

import streamlit as st

from dashboard.accreditation.page import render_accreditation_page
from dashboard.common import store_access
from dashboard.common.access_gate import enter
from dashboard.common.styles import BOARD_CSS, inject
from metrics.access.decisions import View

inject(BOARD_CSS)
access = enter(View.ACCREDITATION, ward_code=st.query_params.get("ward"))
render_accreditation_page(access, store_access.app_config())
