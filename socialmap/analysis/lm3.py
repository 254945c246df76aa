"""Local Multiplier 3 (LM3) of an organisation: how much of its income stays local over three
rounds of spending (nef, Sacks 2002, *The Money Trail*).

- **Round 1** (R1): the income, or a contract's value, that comes into the organisation.
- **Round 2** (R2): what of it the organisation spends locally: with local suppliers and on
  the pay of staff who live locally.
- **Round 3** (R3): what those local suppliers and local staff re-spend locally, from
  surveys of suppliers (the share of what they were paid that they spend locally) and of
  staff (the share of their pay spent locally). Suppliers not surveyed take the mean share
  of those surveyed, weighted by what they were paid (nef's extrapolation from a sample).

``LM3 = (R1 + R2 + R3) / R1``: 1 means nothing stays local beyond the income itself, 3
the most it can be. CLES used it with Manchester City Council and Preston (CLES 2017,
*Community wealth building through anchor institutions*).

This module is pure: it takes the rows already read (:mod:`socialmap.interchange.lm3_files`
reads the CSV templates) and decides nothing about where they came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Categories of a row of the spend table.
INCOME, SUPPLIER, STAFF = "income", "supplier", "staff"
CATEGORIES = (INCOME, SUPPLIER, STAFF)

#: The caveats every LM3 carries (nef 2002; CLES).
STANDING_CAVEATS = (
    "Gross flows: LM3 adds up money as it passes hand to hand; it is not a measure of net economic "
    "impact or of jobs created, and does not subtract what would have been spent locally anyway.",
    "Round 3 rests on surveys of suppliers and staff: what they say they re-spend locally, not what "
    "accounts show.",
    "It depends on where 'local' is drawn: a wider boundary gives a higher multiplier, so LM3 figures "
    "are comparable only when drawn on the same boundary.",
)


@dataclass(frozen=True)
class SpendRow:
    """One row of the spend table, already placed: ``local`` is None where it cannot be told."""

    row: int
    category: str
    name: str
    amount_gbp: float
    local: bool | None
    where: str  # how local was decided, in words ("area X01000003", "postcode ... outside", ...)
    local_share: float | None = None  # staff rows split by the organisation's employee figures


@dataclass
class LM3Result:
    """The three rounds, the multiplier and what it rests on (numbers in pounds)."""

    org_id: str
    org_label: str
    local_by: str
    round1_gbp: float
    suppliers_total_gbp: float
    suppliers_local_gbp: float
    staff_total_gbp: float
    staff_local_gbp: float
    round3_suppliers_gbp: float
    round3_staff_gbp: float
    suppliers_surveyed: int
    local_suppliers: int
    supplier_respend_share: float | None
    staff_respondents: int
    staff_respend_share: float | None
    caveats: list[str] = field(default_factory=list)
    suppliers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def round2_gbp(self) -> float:
        return self.suppliers_local_gbp + self.staff_local_gbp

    @property
    def round3_gbp(self) -> float:
        return self.round3_suppliers_gbp + self.round3_staff_gbp

    @property
    def lm3(self) -> float:
        return (self.round1_gbp + self.round2_gbp + self.round3_gbp) / self.round1_gbp

    def to_json(self) -> dict[str, Any]:
        """The ``socialmap lm3 --json`` document (and what ``--save`` keeps in the project)."""
        r1 = self.round1_gbp
        return {
            "organisation": {"id": self.org_id, "label": self.org_label},
            "local": self.local_by,
            "round1": {"income_gbp": r1},
            "round2": {
                "suppliers_local_gbp": self.suppliers_local_gbp,
                "suppliers_total_gbp": self.suppliers_total_gbp,
                "staff_local_gbp": self.staff_local_gbp,
                "staff_total_gbp": self.staff_total_gbp,
                "total_gbp": self.round2_gbp,
                "share_of_round1": self.round2_gbp / r1,
            },
            "round3": {
                "suppliers_gbp": self.round3_suppliers_gbp,
                "staff_gbp": self.round3_staff_gbp,
                "total_gbp": self.round3_gbp,
                "share_of_round1": self.round3_gbp / r1,
                "local_suppliers": self.local_suppliers,
                "suppliers_surveyed": self.suppliers_surveyed,
                "supplier_respend_share": self.supplier_respend_share,
                "staff_respondents": self.staff_respondents,
                "staff_respend_share": self.staff_respend_share,
            },
            "lm3": self.lm3,
            "caveats": list(self.caveats),
            "suppliers": list(self.suppliers),
        }


def _count(n: int, one: str, many: str) -> str:
    """``1 supplier`` / ``2 suppliers``: a count with its noun agreeing."""
    return f"{n} {one if n == 1 else many}"


def supplier_key(name: str) -> str:
    """The name a supplier is matched on between the spend table and the survey.

    >>> supplier_key("  Castle Mill  Bakery LTD ")
    'castle mill bakery ltd'
    """
    return " ".join(name.split()).casefold()


def compute_lm3(
    org_id: str,
    org_label: str,
    rows: list[SpendRow],
    *,
    local_by: str,
    supplier_survey: dict[str, float] | None = None,
    staff_survey: list[float] | None = None,
) -> LM3Result:
    """LM3 of one organisation from its placed spend rows and the two surveys.

    ``supplier_survey`` maps :func:`supplier_key` to the share (0..1) of what the supplier
    was paid that it re-spends locally; ``staff_survey`` lists each respondent's share of pay
    spent locally. Only local suppliers and local staff enter round 3. A supplier row whose
    place cannot be told (``local`` None) counts as not local, with a caveat.

    Examples
    --------
    Income £100,000. Suppliers: A (local) £20,000, B (not local) £10,000, C (local) £10,000.
    Staff pay £40,000, £30,000 of it to local staff. Survey: A re-spends 50% locally; C
    is not surveyed and takes A's share. Two staff say 40% and 60% (mean 50%).
    R2 = 20,000 + 10,000 + 30,000 = 60,000. R3 = 0.5 x 30,000 + 0.5 x 30,000 = 30,000.
    LM3 = (100,000 + 60,000 + 30,000) / 100,000 = 1.9.

    >>> rows = [SpendRow(2, "income", "contract", 100_000, None, ""),
    ...         SpendRow(3, "supplier", "A", 20_000, True, "in"), SpendRow(4, "supplier", "B", 10_000, False, "out"),
    ...         SpendRow(5, "supplier", "C", 10_000, True, "in"),
    ...         SpendRow(6, "staff", "local staff", 30_000, True, "in"),
    ...         SpendRow(7, "staff", "others", 10_000, False, "out")]
    >>> r = compute_lm3("o1", "Org", rows, local_by="the project's areas", supplier_survey={"a": 0.5},
    ...                 staff_survey=[0.4, 0.6])
    >>> r.round2_gbp, r.round3_gbp, round(r.lm3, 6)
    (60000.0, 30000.0, 1.9)
    """
    income = [r for r in rows if r.category == INCOME]
    r1 = float(sum(r.amount_gbp for r in income))
    caveats = list(STANDING_CAVEATS)
    suppliers: dict[str, dict[str, Any]] = {}
    unknown = 0
    for r in rows:
        if r.category != SUPPLIER:
            continue
        key = supplier_key(r.name)
        entry = suppliers.setdefault(key, {"supplier": " ".join(r.name.split()), "amount_gbp": 0.0, "local": False,
                                           "where": r.where, "respend_share": None, "respend_source": None})
        entry["amount_gbp"] += r.amount_gbp
        if r.local is None:
            unknown += 1
        entry["local"] = entry["local"] or bool(r.local)
        if r.local:
            entry["where"] = r.where
    if unknown:
        caveats.append(f"{_count(unknown, 'supplier payment', 'supplier payments')} could not be placed and "
                       f"{'is' if unknown == 1 else 'are'} counted as not local.")
    suppliers_total = float(sum(e["amount_gbp"] for e in suppliers.values()))
    local_suppliers = {k: e for k, e in suppliers.items() if e["local"]}
    suppliers_local = float(sum(e["amount_gbp"] for e in local_suppliers.values()))

    staff_total = staff_local = 0.0
    for r in rows:
        if r.category != STAFF:
            continue
        staff_total += r.amount_gbp
        if r.local_share is not None:
            staff_local += r.amount_gbp * r.local_share
        elif r.local:
            staff_local += r.amount_gbp
    if any(r.category == STAFF and r.local_share is not None for r in rows):
        caveats.append("Staff pay without a home area is split by the organisation's recorded share of local "
                       "employees (employees_local / employees_total), assuming local and other staff are paid alike.")

    survey = {k: v for k, v in (supplier_survey or {}).items()}
    surveyed = {k: survey[k] for k in local_suppliers if k in survey}
    weight = sum(local_suppliers[k]["amount_gbp"] for k in surveyed)
    if surveyed and weight > 0:
        mean_share = sum(local_suppliers[k]["amount_gbp"] * s for k, s in surveyed.items()) / weight
    elif surveyed:
        mean_share = sum(surveyed.values()) / len(surveyed)
    else:
        mean_share = None
    r3_suppliers = 0.0
    for k, e in local_suppliers.items():
        if k in surveyed:
            e["respend_share"], e["respend_source"] = surveyed[k], "survey"
        elif mean_share is not None:
            e["respend_share"], e["respend_source"] = mean_share, "mean of surveyed suppliers"
        if e["respend_share"] is not None:
            r3_suppliers += e["amount_gbp"] * e["respend_share"]
    not_local_surveyed = [k for k in survey if k in suppliers and k not in local_suppliers]
    unmatched = [k for k in survey if k not in suppliers]
    if not local_suppliers:
        pass
    elif not surveyed:
        caveats.append("No local supplier was surveyed: round 3 leaves out suppliers' local re-spending, so LM3 "
                       "is understated.")
    elif len(surveyed) < len(local_suppliers):
        caveats.append(f"{len(surveyed)} of {len(local_suppliers)} local suppliers were surveyed; the others are "
                       "given the surveyed suppliers' mean share, weighted by what they were paid.")
    if not_local_surveyed:
        n = len(not_local_surveyed)
        caveats.append(f"{_count(n, 'surveyed supplier is', 'surveyed suppliers are')} not local; "
                       f"{'its' if n == 1 else 'their'} re-spending is not part of round 3.")
    if unmatched:
        n = len(unmatched)
        caveats.append(f"{_count(n, 'supplier in the survey is', 'suppliers in the survey are')} not in the spend "
                       f"table and {'was' if n == 1 else 'were'} left out.")

    staff_share = sum(staff_survey) / len(staff_survey) if staff_survey else None
    r3_staff = staff_local * staff_share if staff_share is not None else 0.0
    if staff_local > 0 and staff_share is None:
        caveats.append("No staff survey: round 3 leaves out local staff's re-spending, so LM3 is understated.")
    elif staff_share is not None:
        caveats.append("Local staff's re-spending is the mean share of "
                       f"{_count(len(staff_survey), 'survey respondent', 'survey respondents')}.")

    return LM3Result(
        org_id, org_label, local_by, r1, suppliers_total, suppliers_local, staff_total, staff_local,
        r3_suppliers, r3_staff, len(surveyed), len(local_suppliers), mean_share,
        len(staff_survey or []), staff_share, caveats,
        sorted(suppliers.values(), key=lambda e: (-e["amount_gbp"], e["supplier"])),
    )


def lm3_summary(doc: dict[str, Any]) -> str:
    """A saved LM3 result (the ``lm3 --json`` document) in a few plain lines, for the anchor panel.

    >>> doc = {"lm3": 1.9, "local": "inside the project's 2 areas", "round1": {"income_gbp": 100000.0},
    ...        "round2": {"total_gbp": 60000.0}, "round3": {"total_gbp": 30000.0}, "caveats": []}
    >>> print(lm3_summary(doc))
    LM3 1.90: every £1 of income is worth £1.90 locally over three rounds.
    Round 1 £100,000 in; round 2 £60,000 spent locally; round 3 £30,000 re-spent locally.
    Local: inside the project's 2 areas. Gross flows; round 3 from surveys; depends on where local is drawn.
    """
    return (
        f"LM3 {doc['lm3']:.2f}: every £1 of income is worth £{doc['lm3']:.2f} locally over three rounds.\n"
        f"Round 1 £{doc['round1']['income_gbp']:,.0f} in; round 2 £{doc['round2']['total_gbp']:,.0f} spent locally; "
        f"round 3 £{doc['round3']['total_gbp']:,.0f} re-spent locally.\n"
        f"Local: {doc['local']}. Gross flows; round 3 from surveys; depends on where local is drawn."
    )
