"""The KPI page's 街乡镇 ranking and assisting units: all of both for officials, a unit's
own row only for its staff."""

from hotline.core.accounts.roles import Role
from tests import factories
from tests.integration.test_street_ranking import (
    HOUSING,
    MAIZIDIAN,
    SANLITUN,
    URBAN,
    ZUOJIAZHUANG,
    build_fixture,
)

NOVEMBER = "/kpi?from=2026-11-01&to=2026-11-30"


def table(page: str, name: str) -> str:
    """The body of the table with this id ('' if the page has none)."""
    if f'id="{name}"' not in page:
        return ""
    return page.split(f'id="{name}"')[1].split("</table>")[0].split("<tbody>")[1]


def test_officials_see_both_tables_and_staff_their_own_row(app, login):
    with app.app_context():
        people = build_fixture()
        names = {
            "official": people["official"].username,
            "street": people["staff"][ZUOJIAZHUANG].username,
            "urban": people["urban"].username,
        }
        plain_body = factories.user(Role.DEPARTMENT, "东城区城市管理委员会").username

    def page(who: str, query: str = "") -> str:
        response = login(_named(who)).get(NOVEMBER + query)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    official = page(names["official"], "&min_orders=2")
    ranking = table(official, "street-ranking")
    rows = ranking.split("</tr>")
    assert SANLITUN in rows[0] and ">1</td>" in rows[0]
    assert ZUOJIAZHUANG in rows[1] and ">2</td>" in rows[1] and "50.0%" in rows[1]
    assert MAIZIDIAN in rows[2] and 'class="unranked"' in rows[2]
    assists = table(official, "assist-figures")
    assert all(unit in assists for unit in (URBAN, HOUSING, MAIZIDIAN))
    # The default minimum (5 orders): listed, none ranked.
    assert table(page(names["official"]), "street-ranking").count('class="unranked"') == 3

    # A 街乡镇's staff: its own row with its place among all, whatever they ask for.
    street = page(names["street"], "&min_orders=2&department_id=1")
    mine = table(street, "street-ranking")
    assert ZUOJIAZHUANG in mine and ">2</td>" in mine
    assert SANLITUN not in mine and MAIZIDIAN not in mine
    assert 'name="min_orders"' not in street
    assert URBAN not in table(street, "assist-figures") and 'id="assist-figures"' not in street
    # A body's staff: no ranking, its own assisting row only.
    urban = page(names["urban"])
    assert 'id="street-ranking"' not in urban
    helped = table(urban, "assist-figures")
    assert URBAN in helped and HOUSING not in helped and MAIZIDIAN not in helped
    # A unit with neither: neither table.
    other = page(plain_body)
    assert 'id="street-ranking"' not in other and 'id="assist-figures"' not in other


class _named:
    """What `login` needs of a user: its name."""

    def __init__(self, username: str) -> None:
        self.username = username
