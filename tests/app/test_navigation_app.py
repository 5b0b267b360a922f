"""Navigation by role: the sidebar lists only the pages the role may open, and a refusal names them."""

import pytest

from tests.app.test_access_app import app, store  # noqa: F401  (the access tests' fixtures: a demo store)


def page_links(at) -> list[str]:
    return [e.proto.label for e in at.get("page_link")]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("ward_staff", ["Ward huddle", "Matron wall", "Data status", "Ward accreditation"]),
        ("matron", ["Ward huddle", "Matron wall", "Data status", "Ward accreditation"]),
        ("executive", ["Ward huddle", "Matron wall", "Executive wall", "Data status", "Ward accreditation"]),
        ("analyst", ["Executive wall", "Data status"]),
        ("administrator", ["Data status", "Administration"]),
        ("assessor", ["Ward huddle", "Matron wall", "Data status", "Ward accreditation"]),
    ],
)
def test_each_demo_role_sees_only_the_pages_it_may_open(app, store, role, expected):  # noqa: F811
    at = app(store, "status", role=role)
    assert page_links(at) == expected


def test_a_refusal_names_and_links_the_pages_the_role_can_use(app, store):  # noqa: F811
    at = app(store, "admin", role="ward_staff")
    assert len(at.error) == 1
    assert "You can open: Ward huddle, Matron wall, Data status and Ward accreditation." in at.error[0].value
    assert page_links(at)[-4:] == ["Ward huddle", "Matron wall", "Data status", "Ward accreditation"]


def test_the_wall_has_a_way_back_for_a_signed_in_person(app, store):  # noqa: F811
    at = app(store, "wall", role="matron", wards="7A")
    assert page_links(at) == ["Back to the board"]


def test_a_bookmarked_wall_screen_has_no_way_back(app, store):  # noqa: F811
    at = app(store, "wall", wards="7A")
    assert page_links(at) == []
