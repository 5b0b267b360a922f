"""Administration: /admin (administrators only): the audit log and the wall screens' kiosk tokens."""

from dashboard.common import store_access
from dashboard.common.access_gate import enter
from dashboard.admin.page import render_admin_page
from dashboard.common.styles import BOARD_CSS, inject
from metrics.access.decisions import View

inject(BOARD_CSS)
access = enter(View.ADMIN)
render_admin_page(access, store_access.app_config())
