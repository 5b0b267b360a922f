"""Administration: /admin (administrators only): the audit log and the wall screens' kiosk tokens."""

from dashboard import store_access
from dashboard.access_gate import enter
from dashboard.admin_view import render_admin_page
from dashboard.styles import BOARD_CSS, inject
from metrics.access.decisions import View

inject(BOARD_CSS)
access = enter(View.ADMIN)
render_admin_page(access, store_access.app_config())
