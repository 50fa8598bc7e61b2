"""Which department handles an order: category rule plus the district the point falls in."""

from dataclasses import dataclass

STREET_KIND = "street_office"  # 属地: the 街乡镇 where the matter is (core/units/kinds.py)


@dataclass(frozen=True)
class DepartmentRef:
    """The routing-relevant facts about a department."""

    id: int
    name: str
    kind: str
    district_code: str | None  # None: a city-level body
    code: str | None = None  # a 街乡镇's official code


@dataclass(frozen=True)
class RuleRef:
    """An admin's explicit rule: this category (in this district, or anywhere) goes here."""

    category_code: str
    district_code: str | None
    department_id: int


@dataclass(frozen=True)
class RoutingDecision:
    """The department chosen (None: the desk routes it by hand) and the reasons, as codes."""

    department: DepartmentRef | None
    district_code: str | None
    reason: str  # one of REASONS
    rule_kind: str | None = None
    street_code: str | None = None


REASONS = (
    "explicit_rule_district",  # an admin rule for this category in this district
    "explicit_rule_city",  # an admin rule for this category anywhere
    "city_level_kind",  # the category's kind is handled by a city-level body
    "district_kind",  # the category's kind, in the district the point falls in
    "street_kind",  # 属地: the 街乡镇 where the matter is
    "no_street",  # 属地, but the 街乡镇 is not known: routed by hand
    "no_location",  # no district known: routed by hand
    "no_department",  # no department of that kind in that district: routed by hand
    "no_category_kind",  # category has no responsible kind: routed by hand
)


class DepartmentDirectory:
    """Departments and rules, indexed for constant-time routing."""

    def __init__(self, departments: list[DepartmentRef], rules: list[RuleRef]) -> None:
        self._by_id = {d.id: d for d in departments}
        self._by_kind_district: dict[tuple[str, str | None], DepartmentRef] = {}
        for dept in sorted(departments, key=lambda d: d.id):
            self._by_kind_district.setdefault((dept.kind, dept.district_code), dept)
        self._rules = {(r.category_code, r.district_code): r for r in rules}
        self._streets = {d.code: d for d in departments if d.kind == STREET_KIND and d.code}

    def get(self, department_id: int) -> DepartmentRef | None:
        """A department by id."""
        return self._by_id.get(department_id)

    def street(self, code: str | None) -> DepartmentRef | None:
        """The 街乡镇 unit with this official code."""
        return self._streets.get(code) if code else None

    def route(
        self,
        category_code: str,
        category_kind: str | None,
        district_code: str | None,
        street_code: str | None = None,
    ) -> RoutingDecision:
        """Decide the department, most specific rule first."""
        candidates = [((category_code, None), "explicit_rule_city")]
        if district_code is not None:
            candidates.insert(0, ((category_code, district_code), "explicit_rule_district"))
        for key, reason in candidates:
            rule = self._rules.get(key)
            if rule is not None and rule.department_id in self._by_id:
                return RoutingDecision(self._by_id[rule.department_id], district_code, reason)
        if not category_kind:
            return RoutingDecision(None, district_code, "no_category_kind")
        if category_kind == STREET_KIND:
            street = self._streets.get(street_code) if street_code else None
            if street is None or (district_code and street.district_code != district_code):
                return RoutingDecision(None, district_code, "no_street", category_kind)
            return RoutingDecision(
                street, street.district_code, "street_kind", category_kind, street.code
            )
        city_body = self._by_kind_district.get((category_kind, None))
        if city_body is not None:
            return RoutingDecision(city_body, district_code, "city_level_kind", category_kind)
        if district_code is None:
            return RoutingDecision(None, None, "no_location", category_kind)
        local = self._by_kind_district.get((category_kind, district_code))
        if local is None:
            return RoutingDecision(None, district_code, "no_department", category_kind)
        return RoutingDecision(local, district_code, "district_kind", category_kind)
