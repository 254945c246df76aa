"""Recording a young person's network in conversation (issue 16): the interview's prompts and
the planner that turns one young person's answers into new nodes and ties.

A **prompt** is a name generator (Network Canvas's term): a question put to the young person,
the kinds of answer it takes and the tie types an answer may be recorded with, the first of
them the default. The four default prompts are those of issue 16; the third is marked as an
*opportunity* prompt (people or places that could lead to work, training or a course). The
prompts are the project setting ``interview_prompts`` (a list of objects, stored with the
project in ``socialmap_settings`` like every setting); a project without it uses
:data:`DEFAULT_PROMPTS`.

An **answer** names one alter under one prompt: an existing node by its id, or a new one by a
pseudonym. :func:`plan_interview` checks every answer against the project and the model's
rules, collecting every problem (each with its row and field), and returns the
:class:`InterviewPlan` - the new nodes and the ties to add - or raises one
:class:`~socialmap.errors.InputError`. Rules:

- repeats are one person: a name given under two prompts (matched without regard to case) is
  one new node with one tie; the first answer's type wins, later answers fill in a strength,
  context or date left empty (a different explicit value is a warning);
- an answer that is the id of an existing node picks that node; a new name that is also the
  label of an existing node is a warning (give the id to pick them);
- a new young person needs a home area: the ego's when none is given; a new service or
  organisation needs an area too, and is placed at a point inside it
  (``representative_point``) until moved on the map;
- a tie's type must fit the kinds it joins (:func:`socialmap.model.kinds.tie_fits`); an
  existing alter already tied to the ego is refused (one tie per pair: edit that tie);
- the context is a service or organisation: an existing id or label, or a place named in the
  same interview;
- names are pseudonyms: a person's name that looks like a full name
  (:func:`socialmap.privacy.looks_like_full_name`) is a warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from socialmap.errors import InputError, Problem
from socialmap.model import kinds
from socialmap.model.kinds import (
    ADULT,
    NODE_KINDS,
    ORGANISATION,
    PLACE_KINDS,
    SERVICE,
    TIE_TYPES,
    YOUNG_PERSON,
)
from socialmap.model.project import Node, Project, Tie, tie_key

SETTING = "interview_prompts"

#: Tie types an opportunity prompt offers, in the order a default is chosen from.
_ANY_TYPES = ("mentor", "worker", "friend", "peer", "family", "neighbour", "attends", "member")


@dataclass(frozen=True, slots=True)
class Prompt:
    """One name generator: the question, the kinds of answer and the tie types it offers."""

    key: str
    text: str
    kinds: tuple[str, ...]
    tie_types: tuple[str, ...]
    opportunity: bool = False

    def default_type(self, kind: str) -> str | None:
        """The first of the prompt's tie types that may join a young person to a ``kind``."""
        return next((t for t in self.tie_types if kinds.tie_fits(t, YOUNG_PERSON, kind)), None)

    def as_setting(self) -> dict[str, Any]:
        return {"key": self.key, "text": self.text, "kinds": list(self.kinds), "tie_types": list(self.tie_types),
                "opportunity": self.opportunity}


#: The prompts of issue 16, used when the project has no ``interview_prompts`` setting.
DEFAULT_PROMPTS: tuple[Prompt, ...] = (
    Prompt("time", "Who do you spend most time with?", (YOUNG_PERSON, ADULT), ("friend", "peer", "family")),
    Prompt("trust", "Which adults do you trust or go to for advice?", (ADULT,), ("mentor", "worker", "family")),
    Prompt("opportunity", "Who could help you find work, training or a course?",
           (ADULT, YOUNG_PERSON, ORGANISATION, SERVICE), _ANY_TYPES, opportunity=True),
    Prompt("places", "Which places, groups or services do you go to?", (SERVICE, ORGANISATION), ("attends", "member")),
)


def prompt_problems(value: Any) -> list[Problem]:
    """Every reason ``value`` cannot be the ``interview_prompts`` setting (record ``project settings``)."""
    out: list[Problem] = []

    def bad(reason: str) -> None:
        out.append(Problem(reason, record="project settings", field=SETTING))

    if not isinstance(value, list) or not value:
        bad("is not a non-empty list of prompts")
        return out
    keys: set[str] = set()
    for i, item in enumerate(value, 1):
        if not isinstance(item, dict):
            bad(f"prompt {i} is not an object with key, text, kinds and tie_types")
            continue
        key, text = item.get("key"), item.get("text")
        if not isinstance(key, str) or not key.strip():
            bad(f"prompt {i} has no key")
        elif key.strip().lower() in keys:
            bad(f"prompt {i}: the key {key!r} is used twice")
        else:
            keys.add(key.strip().lower())
        if not isinstance(text, str) or not text.strip():
            bad(f"prompt {i} has no text")
        k, t = item.get("kinds"), item.get("tie_types")
        if not isinstance(k, list) or not k or any(x not in NODE_KINDS for x in k):
            bad(f"prompt {i}: kinds {k!r} is not a non-empty list of {', '.join(NODE_KINDS)}")
            continue
        if not isinstance(t, list) or not t or any(x not in TIE_TYPES for x in t):
            bad(f"prompt {i}: tie_types {t!r} is not a non-empty list of known tie types")
            continue
        for kind in k:
            if not any(kinds.tie_fits(x, YOUNG_PERSON, kind) for x in t):
                bad(f"prompt {i}: none of its tie types joins a young person to a {kind}")
        if not isinstance(item.get("opportunity", False), bool):
            bad(f"prompt {i}: opportunity is not true or false")
    return out


def project_prompts(project: Project) -> list[Prompt]:
    """The project's prompts (the ``interview_prompts`` setting), else :data:`DEFAULT_PROMPTS`."""
    value = project.settings.get(SETTING)
    if value is None:
        return list(DEFAULT_PROMPTS)
    problems = prompt_problems(value)
    if problems:
        raise InputError(problems)
    return [Prompt(p["key"].strip(), p["text"].strip(), tuple(p["kinds"]), tuple(p["tie_types"]),
                   bool(p.get("opportunity", False))) for p in value]


def prompts_setting(prompts: Iterable[Prompt]) -> list[dict[str, Any]]:
    """``prompts`` as the value of the ``interview_prompts`` setting (checked)."""
    value = [p.as_setting() for p in prompts]
    problems = prompt_problems(value)
    if problems:
        raise InputError(problems)
    return value


def find_prompt(prompts: Sequence[Prompt], ref: str) -> Prompt | None:
    """The prompt ``ref`` names: its key, its number (1 = first) or its text (case ignored)."""
    text = str(ref).strip()
    low = text.lower()
    if text.isdigit() and 1 <= int(text) <= len(prompts):
        return prompts[int(text) - 1]
    return next((p for p in prompts if p.key.lower() == low or p.text.lower() == low), None)


@dataclass(slots=True)
class Answer:
    """One alter named under one prompt. ``name`` is an existing node's id or a new pseudonym;
    the rest may be left empty (defaults: the prompt's first kind and fitting tie type, the
    ego's area). ``row`` is where the answer came from (a CSV row), for the messages."""

    prompt: str
    name: str
    kind: str | None = None
    area: str | None = None
    type: str | None = None
    strength: int | None = None
    context: str | None = None
    since: dt.date | None = None
    row: int | None = None


@dataclass(slots=True)
class PlannedTie:
    """A tie the interview adds, with the prompts its alter was named under."""

    tie: Tie
    prompts: list[str] = field(default_factory=list)
    opportunity: bool = False


@dataclass(slots=True)
class InterviewPlan:
    """What recording the answers adds: new nodes (in the order named), then ties to the ego."""

    ego: str
    nodes: list[Node]
    ties: list[PlannedTie]
    warnings: list[Problem]

    def alters(self) -> list[str]:
        return [pt.tie.other(self.ego) for pt in self.ties]


def _a(kind: str) -> str:
    """'a young person', 'an adult', 'an organisation', 'a service'."""
    words = kind.replace("_", " ")
    return ("an " if words[0] in "aeiou" else "a ") + words


def _kind_counts(project: Project) -> dict[str, int]:
    """How many nodes of each kind (cached per project version: the form plans at every answer)."""
    out: dict[str, int] = {}
    for n in project.nodes.values():
        out[n.kind] = out.get(n.kind, 0) + 1
    return out


def _new_id(project: Project, taken: set[str], kind: str) -> str:
    """A fresh id for a new node of ``kind`` (yp1, ad1, org1, svc1... as the window makes them)."""
    prefix = {YOUNG_PERSON: "yp", ADULT: "ad", ORGANISATION: "org", SERVICE: "svc"}[kind]
    i = project.cached("interview_kind_counts", lambda: _kind_counts(project)).get(kind, 0) + 1
    while f"{prefix}{i}" in project.nodes or f"{prefix}{i}" in taken:
        i += 1
    return f"{prefix}{i}"


def _labels(project: Project) -> dict[str, list[Node]]:
    """Every node by its lower-case label (id when it has none); cached per project version, since
    the form checks the whole interview again at each answer (otherwise a pass over every node each time)."""
    out: dict[str, list[Node]] = {}
    for n in project.nodes.values():
        out.setdefault((n.label or n.id).strip().lower(), []).append(n)
    return out


def plan_interview(project: Project, ego: str | Node, answers: Iterable[Answer], *,
                   prompts: Sequence[Prompt] | None = None, source: str | None = None) -> InterviewPlan:
    """Check ``answers`` for the young person ``ego`` (an existing id, or a new young person's
    :class:`Node`, which the plan then adds first) and plan the new nodes and ties.

    Raises one :class:`InputError` listing every problem (file ``source``, the answer's row,
    field and reason); returns the plan, with warnings, when there is none.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from socialmap.model import Area
    >>> p = Project()
    >>> p.add_area(Area("A1", "North", box(0, 0, 1, 1)))
    >>> p.add_node(Node("yp1", "young_person", "Jo", area_code="A1"))
    >>> plan = plan_interview(p, "yp1", [Answer("time", "Sam"), Answer("trust", "Ms K"), Answer("1", "sam")])
    >>> [(n.id, n.kind, n.label, n.area_code) for n in plan.nodes]
    [('yp2', 'young_person', 'Sam', 'A1'), ('ad1', 'adult', 'Ms K', 'A1')]
    >>> [(t.tie.b, t.tie.type, t.prompts) for t in plan.ties]
    [('yp2', 'friend', ['time', 'time']), ('ad1', 'mentor', ['trust'])]
    """
    from socialmap.model.project import node_problems
    from socialmap.privacy import looks_like_full_name

    prompts = list(prompts) if prompts is not None else project_prompts(project)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    new_nodes: list[Node] = []
    taken: set[str] = set()

    def bad(reason: str, row: int | None, fieldname: str | None, into: list[Problem] = problems) -> None:
        into.append(Problem(reason, file=source, row=row, field=fieldname))

    if isinstance(ego, Node):
        ego_node = ego
        if ego_node.kind != YOUNG_PERSON:
            bad(f"the person interviewed is {_a(ego_node.kind)}, not a young person", None, "person")
        for pr in node_problems(ego_node, project, record="the person interviewed"):
            problems.append(Problem(pr.reason, file=source, field=pr.field, record=pr.record))
        if ego_node.id in project.nodes:
            bad(f"the id {ego_node.id!r} is taken", None, "person")
        if looks_like_full_name(ego_node.label):
            bad(f"{ego_node.label!r} looks like a full name; record a pseudonym", None, "person", warnings)
        new_nodes.append(ego_node)
        taken.add(ego_node.id)
    else:
        found = project.nodes.get(ego)
        if found is None:
            raise InputError(Problem(f"unknown person {ego!r}", file=source, field="person"))
        if found.kind != YOUNG_PERSON:
            raise InputError(Problem(f"{ego!r} is {_a(found.kind)}, not a young person", file=source, field="person"))
        ego_node = found
    ego_id = ego_node.id

    labels_existing = project.cached("interview_labels", lambda: _labels(project))

    by_name: dict[str, Node] = {}  # new nodes of this interview by lower-case name
    planned: dict[str, PlannedTie] = {}  # alter id -> its tie
    explicit: dict[str, dict[str, Any]] = {}  # alter id -> fields given explicitly so far
    context_ref: dict[str, tuple[PlannedTie, str, int | None]] = {}  # alter id -> first context given

    for ans in answers:
        row = ans.row
        prompt = find_prompt(prompts, ans.prompt) if str(ans.prompt or "").strip() else None
        if prompt is None:
            known = ", ".join(p.key for p in prompts)
            bad(f"unknown prompt {ans.prompt!r} (give its key, number or text: {known})" if str(ans.prompt or "").strip()
                else f"no prompt given (one of {known})", row, "prompt")
            continue
        name = (ans.name or "").strip()
        if not name:
            bad("no name given (a pseudonym, or the id of someone in the project)", row, "name")
            continue
        if ans.kind is not None and ans.kind not in NODE_KINDS:
            bad(f"unknown kind {ans.kind!r}; expected one of {', '.join(NODE_KINDS)}", row, "kind")
            continue
        if ans.type is not None and ans.type not in TIE_TYPES:
            bad(f"unknown tie type {ans.type!r}; expected one of {', '.join(TIE_TYPES)}", row, "type")
            continue
        if ans.strength is not None and ans.strength not in (1, 2, 3):
            bad(f"strength {ans.strength} is not 1, 2 or 3", row, "strength")
            continue
        existing = project.nodes.get(name)
        alter: Node | None = existing
        if existing is not None:
            if existing.id == ego_id:
                bad("the young person cannot be named in their own network", row, "name")
                continue
            if ans.kind is not None and ans.kind != existing.kind:
                bad(f"{name!r} is {_a(existing.kind)} in the project, not {_a(ans.kind)}", row, "kind")
                continue
            if ans.area is not None and ans.area != existing.area_code:
                bad(f"{name!r} is already in the project (area {existing.area_code}); the area of an existing "
                    "node is changed in the inspector", row, "area")
                continue
            if existing.id not in planned and project.get_tie(ego_id, existing.id) is not None:
                tie = project.get_tie(ego_id, existing.id)
                bad(f"{name!r} is already tied to {ego_id!r} ({tie.type}); edit that tie instead", row, "name")
                continue
        elif name.lower() in by_name:
            alter = by_name[name.lower()]
            if ans.kind is not None and ans.kind != alter.kind:
                bad(f"{name!r} was named before as {_a(alter.kind)}, not {_a(ans.kind)}", row, "kind")
                continue
        else:
            kind = ans.kind or prompt.kinds[0]
            if kind not in prompt.kinds:
                bad(f"the prompt {prompt.key!r} takes {', '.join(prompt.kinds)}, not {kind}", row, "kind")
                continue
            area = ans.area or ego_node.area_code
            if area is not None and area not in project.areas:
                bad(f"unknown area {area!r}", row, "area")
                continue
            if kind in PLACE_KINDS and area is None:
                bad(f"{_a(kind)} needs an area (it is placed inside it until moved on the map)", row, "area")
                continue
            node = Node(_new_id(project, taken, kind), kind, name, area_code=area)
            if kind in PLACE_KINDS:
                point = project.areas[area].geometry.representative_point()
                node.lon, node.lat = float(point.x), float(point.y)
            ps = node_problems(node, project, record=None)
            if ps:
                for pr in ps:
                    bad(pr.reason, row, "area" if pr.field == "area_code" else pr.field)
                continue
            if kind in (YOUNG_PERSON, ADULT) and looks_like_full_name(name):
                bad(f"{name!r} looks like a full name; record a pseudonym (first name and initial, or made up)",
                    row, "name", warnings)
            if name.lower() in labels_existing:
                others = ", ".join(f"{n.id} ({n.kind.replace('_', ' ')}, {n.area_code or 'no area'})"
                                   for n in labels_existing[name.lower()][:3])
                bad(f"{name!r} is new ({kind.replace('_', ' ')}); the project already has {others}: give the id "
                    "to pick them", row, "name", warnings)
            taken.add(node.id)
            by_name[name.lower()] = node
            new_nodes.append(node)
            alter = node
        assert alter is not None
        tie_type = ans.type or prompt.default_type(alter.kind)
        if tie_type is None:
            bad(f"the prompt {prompt.key!r} has no tie type for {_a(alter.kind)} "
                f"({', '.join(prompt.tie_types)})", row, "type")
            continue
        if not kinds.tie_fits(tie_type, YOUNG_PERSON, alter.kind):
            bad(f"a {tie_type} tie joins {kinds.describe_endpoints(tie_type)}, not young_person and {alter.kind}",
                row, "type")
            continue
        given = {k: v for k, v in (("type", ans.type), ("strength", ans.strength), ("since", ans.since),
                                   ("context", ans.context)) if v is not None and v != ""}
        pt = planned.get(alter.id)
        if pt is None:
            pt = PlannedTie(Tie(ego_id, alter.id, tie_type, strength=ans.strength, since=ans.since))
            planned[alter.id] = pt
            explicit[alter.id] = dict(given)
        else:
            before = explicit[alter.id]
            for k, v in given.items():
                if k in before and before[k] != v:
                    bad(f"{name!r} was named before with {k} {before[k]!r}; keeping that, not {v!r}", row, k, warnings)
                elif k not in before:
                    before[k] = v
                    if k in ("strength", "since"):
                        setattr(pt.tie, k, v)
                    elif k == "type" and v != pt.tie.type:
                        bad(f"{name!r} was named before as {pt.tie.type}; keeping that, not {v}", row, k, warnings)
        pt.prompts.append(prompt.key)
        pt.opportunity = pt.opportunity or prompt.opportunity
        pt.tie.opportunity = pt.opportunity  # the mark is kept on the tie (socialmap.analysis.opportunity)
        if ans.context and str(ans.context).strip() and alter.id not in context_ref:
            context_ref[alter.id] = (pt, str(ans.context).strip(), row)

    # contexts last: they may name a place answered later in the same interview
    for pt, ref, row in context_ref.values():
        ctx = project.nodes.get(ref)
        if ctx is None:
            ctx = by_name.get(ref.lower())
        if ctx is None:
            places = [n for n in labels_existing.get(ref.lower(), []) if n.kind in PLACE_KINDS]
            if len(places) > 1:
                bad(f"{len(places)} places are called {ref!r} ({', '.join(n.id for n in places[:3])}); give the id",
                    row, "context")
                continue
            ctx = places[0] if places else None
        if ctx is None:
            bad(f"unknown context {ref!r} (a service or organisation: its id or name)", row, "context")
        elif ctx.kind not in PLACE_KINDS:
            bad(f"context {ref!r} is {_a(ctx.kind)}, not a service or organisation", row, "context")
        else:
            pt.tie.context = ctx.id
    if problems:
        raise InputError(problems)
    return InterviewPlan(ego_id, new_nodes, list(planned.values()), warnings)


def apply_plan(project: Project, plan: InterviewPlan) -> None:
    """Add the plan's nodes and ties to ``project``, all or nothing (undone on any refusal)."""
    added_nodes: list[str] = []
    added_ties: list[tuple[str, str]] = []
    try:
        for node in plan.nodes:
            project.add_node(node)
            added_nodes.append(node.id)
        for pt in plan.ties:
            project.add_tie(pt.tie)
            added_ties.append(tie_key(pt.tie.a, pt.tie.b))
    except InputError:
        for a, b in reversed(added_ties):
            project.remove_tie(a, b)
        for node_id in reversed(added_nodes):
            project.remove_node(node_id)
        raise


@dataclass(frozen=True, slots=True)
class EgoAlter:
    """One alter of the person interviewed, as the ring view draws it: its tie class (by the
    rules of :mod:`socialmap.analysis.ties`, group key ``area_code``), kind, NEET status, the
    first prompt it was named under (None for a tie recorded before) and the opportunity mark."""

    id: str
    label: str
    tie_class: str
    kind: str
    neet: bool
    prompt: str | None
    opportunity: bool


def _plan_nodes(project: Project, plan: InterviewPlan):
    new = {n.id: n for n in plan.nodes}

    def node(i: str) -> Node:
        return new.get(i) or project.nodes[i]

    return node


def _ego_tie_list(project: Project, plan: InterviewPlan) -> list[tuple[Tie, str | None]]:
    """The ego's ties once the plan is added, each with the first prompt it was named under."""
    ties: list[tuple[Tie, str | None]] = []
    if plan.ego in project.nodes:
        ties += [(t, None) for t in project.incident_ties(plan.ego)]
    ties += [(pt.tie, pt.prompts[0] if pt.prompts else None) for pt in plan.ties]
    return ties


def ego_alters(project: Project, plan: InterviewPlan) -> list[EgoAlter]:
    """The ego's network once the plan is added: the existing ties, then the planned ones.

    The class is *linking* to a service or organisation or by a mentor or worker tie; else
    *bonding* when both live in the same area, *bridging* when their areas differ,
    *unclassified* when either area is unknown (Putnam 2000; Szreter & Woolcock 2004; SPEC 3).
    """
    node = _plan_nodes(project, plan)
    ego = node(plan.ego)
    out = []
    for tie, prompt in _ego_tie_list(project, plan):
        other = node(tie.other(plan.ego))
        if other.kind in PLACE_KINDS or tie.type in kinds.PROFESSIONAL_TIE_TYPES:
            cls = "linking"
        elif ego.area_code is None or other.area_code is None:
            cls = "unclassified"
        else:
            cls = "bonding" if ego.area_code == other.area_code else "bridging"
        out.append(EgoAlter(other.id, other.label or other.id, cls, other.kind, bool(other.neet), prompt,
                            tie.opportunity))
    return out


def ego_ties(project: Project, plan: InterviewPlan) -> list[tuple[str, str, str, str | None]]:
    """``(alter id, label, tie class, kind)`` of :func:`ego_alters`."""
    return [(a.id, a.label, a.tie_class, a.kind) for a in ego_alters(project, plan)]


def ego_areas_reached(project: Project, plan: InterviewPlan) -> int:
    """``areas_reached`` of the ego once the plan is added (SPEC 3, as
    :func:`socialmap.analysis.measures.areas_reached`): the distinct home areas of the people
    (young people, adults with an area) within two hops, the ego's own area excluded. A hop is
    any tie but an institutional one (between organisations and services); the second hop runs
    along the alters' ties in the project (an alter new to the project has only the tie to the ego).
    """
    node = _plan_nodes(project, plan)
    ego = node(plan.ego)
    first = {t.other(plan.ego) for t, _ in _ego_tie_list(project, plan)}
    reached = set(first)
    for j in first:
        if j not in project.nodes:
            continue
        j_place = project.nodes[j].kind in PLACE_KINDS
        for q in project.adjacency.get(j, ()):
            if j_place and project.nodes[q].kind in PLACE_KINDS:
                continue  # an institutional tie is no hop
            reached.add(q)
    areas = set()
    for i in reached:
        n = node(i)
        if n.kind in kinds.PERSON_KINDS and n.area_code is not None and i != plan.ego:
            areas.add(n.area_code)
    areas.discard(ego.area_code)
    return len(areas)


def ego_constraint(project: Project, plan: InterviewPlan) -> float | None:
    """Burt's constraint of the ego once the plan is added, unweighted on the whole graph, as
    :func:`socialmap.analysis.measures.burt_measures` (Burt 1992; networkx ``constraint``):

    :math:`c_i = d_i^{-2} \\sum_{j \\in N(i)} (1 + s_{ij})^2`, with
    :math:`s_{ij} = \\sum_{q \\in N(i) \\cap N(j)} 1/d_q`,

    where the degrees count the planned ties too. None for an ego without ties.

    Examples
    --------
    Ego e with alters a, b, c; a and b are tied, b has one more tie (to x): d_a = 2, d_b = 3.
    c_e = (1/9) [(1 + 1/3)^2 + (1 + 1/2)^2 + 1] = (1/9)(16/9 + 9/4 + 1) = 181/324.

    >>> from shapely.geometry import box
    >>> from socialmap.model import Area
    >>> p = Project()
    >>> p.add_area(Area("A1", "North", box(0, 0, 1, 1)))
    >>> for i in ("e", "a", "b", "c", "x"):
    ...     p.add_node(Node(i, "young_person", area_code="A1"))
    >>> for a, b in (("e", "a"), ("a", "b"), ("b", "x"), ("e", "c")):
    ...     p.add_tie(Tie(a, b, "friend"))
    >>> plan = plan_interview(p, "e", [Answer("time", "b")])
    >>> round(ego_constraint(p, plan), 6) == round(181 / 324, 6)
    True
    """
    ties = _ego_tie_list(project, plan)
    alters = {t.other(plan.ego) for t, _ in ties}
    planned = {pt.tie.other(plan.ego) for pt in plan.ties}
    d_i = len(alters)
    if d_i == 0:
        return None

    def degree(q: str) -> int:
        return len(project.adjacency.get(q, ())) + (1 if q in planned else 0)

    total = 0.0
    for j in alters:
        shared = project.adjacency.get(j, set()) & alters
        total += (1.0 + sum(1.0 / degree(q) for q in shared if q != j)) ** 2
    return total / d_i**2


def ego_measures(project: Project, plan: InterviewPlan) -> dict[str, Any]:
    """The ego's measures once the plan is added: ``degree``, ``bonding``, ``bridging`` and
    ``linking`` tie counts, ``areas_reached``, Burt's ``constraint`` and ``isolated`` (no
    bridging and no linking tie, SPEC section 3); the live figures of the ring view."""
    classes = [a.tie_class for a in ego_alters(project, plan)]
    counts = {c: classes.count(c) for c in ("bonding", "bridging", "linking")}
    return {"degree": len(classes), **counts, "areas_reached": ego_areas_reached(project, plan),
            "constraint": ego_constraint(project, plan),
            "isolated": counts["bridging"] == 0 and counts["linking"] == 0}


__all__ = ["EgoAlter", "ego_alters", "ego_areas_reached", "ego_constraint", "ego_measures", "ego_ties", "DEFAULT_PROMPTS", "SETTING", "Answer", "InterviewPlan", "PlannedTie", "Prompt", "apply_plan",
           "find_prompt", "plan_interview", "project_prompts", "prompt_problems", "prompts_setting"]
