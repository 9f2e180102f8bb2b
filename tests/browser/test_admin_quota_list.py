"""The quota list's editable Soll is not clipped (issue 14): the field holds its value and the
whole row lies inside the list's visible area at the ministry's 1280 px."""

from playwright.sync_api import expect

INSIDE = """el => {
    const box = el.closest('.results').getBoundingClientRect();
    const r = el.getBoundingClientRect();
    return r.left >= box.left && r.right <= box.right;
}"""


def test_the_quota_lists_soll_is_not_clipped(page, login, shot):
    login(page, "ministerium")
    page.goto("/admin/staffing/staffingquota/?q=Mettmann")
    field = page.locator("input.quota-fte").first
    expect(field).to_have_value("0,50")  # Verwaltungsassistenz, the list's first row
    assert field.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert field.evaluate(INSIDE)
    assert page.locator("td.field-period").first.evaluate(INSIDE)  # the row's last column
    shot(page, "admin-quota-list")
