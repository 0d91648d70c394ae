"""Issuing rules: validation errors name the path, evaluation is right, explain agrees with evaluate."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from badge_issuer.errors import DefinitionError
from badge_issuer.rules import Facts, evaluate, explain, validate_rules

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
OUTCOMES = frozenset({"lo-a", "lo-b", "lo-c"})


def facts(**kw) -> Facts:
    base = {
        "validated_outcomes": frozenset(),
        "all_outcomes": OUTCOMES,
        "score_percent": None,
        "completed_assessments": frozenset(),
        "now": NOW,
        "course_passed": False,
    }
    base.update(kw)
    return Facts(**base)


@pytest.mark.parametrize(
    "rules, path, reason",
    [
        (
            {"all": [{"all_outcomes": True}, {"min_score": {"value": 170}}]},
            "rules.all[1].min_score.value",
            "from 0 to 100",
        ),
        ({"min_score": {"value": "70"}}, "rules.min_score.value", "number"),
        ({"min_score": {"value": True}}, "rules.min_score.value", "number"),
        ({"min_score": {"value": float("nan")}}, "rules.min_score.value", "number"),
        ({"min_score": {"value": 70, "op": "=>"}}, "rules.min_score.op", "one of"),
        ({"min_score": {"value": 70, "weight": 2}}, "rules.min_score.weight", "unknown key"),
        ({"min_score": 70}, "rules.min_score", "object"),
        ({"any": []}, "rules.any", "non-empty"),
        ({"all": {"all_outcomes": True}}, "rules.all", "list"),
        ({"any": [{"all_outcomes": False}]}, "rules.any[0].all_outcomes", "must be true"),
        ({"course_passed": "yes"}, "rules.course_passed", "must be true"),
        ({"assessments_completed": []}, "rules.assessments_completed", "non-empty"),
        ({"assessments_completed": ["quiz", 3]}, "rules.assessments_completed[1]", "string"),
        ({"window": {"not_before": "yesterday"}}, "rules.window.not_before", "ISO 8601"),
        ({"window": {"not_before": "2026-01-01T00:00:00"}}, "rules.window.not_before", "time zone"),
        ({"window": {"not_before": "2026-02-01", "not_after": "2026-01-01"}}, "rules.window.not_after", "earlier"),
        ({"window": {}}, "rules.window", "not_before"),
        ({"window": {"start": "2026-01-01"}}, "rules.window.start", "unknown key"),
        ({"eval": "__import__('os')"}, "rules.eval", "unknown rule kind"),
        ({"all_outcomes": True, "course_passed": True}, "rules", "exactly one"),
        ("all_outcomes", "rules", "object"),
        ({"all_outcomes": True, "valid_for_days": 30}, "rules.valid_for_days", "definition"),
    ],
)
def test_validate_names_path_and_reason(rules, path, reason, source_msgids):
    with pytest.raises(DefinitionError) as caught:
        validate_rules(rules)
    assert caught.value.subject == path
    assert reason in caught.value.reason
    assert caught.value.msgid in source_msgids  # the editor shows it translated (bug P2-3)


def test_validate_limits_depth():
    rules = {"all_outcomes": True}
    for _ in range(8):
        rules = {"any": [rules]}
    with pytest.raises(DefinitionError, match="nested at most"):
        validate_rules(rules)


def test_valid_rules_round_trip_json():
    rules = {
        "all": [
            {"all_outcomes": True},
            {"min_score": {"value": 70, "op": ">="}},
            {"any": [{"course_passed": True}, {"assessments_completed": ["quiz1"]}]},
            {"window": {"not_before": "2026-01-01", "not_after": "2026-12-31T23:00:00+01:00"}},
        ]
    }
    assert validate_rules(json.loads(json.dumps(rules))) == rules


def test_all_outcomes():
    rule = {"all_outcomes": True}
    assert not evaluate(rule, facts(validated_outcomes=frozenset({"lo-a", "lo-b"})))
    assert evaluate(rule, facts(validated_outcomes=OUTCOMES))
    assert "lo-c" in explain(rule, facts(validated_outcomes=frozenset({"lo-a", "lo-b"})))["detail"]
    # No outcomes: never vacuously true.
    assert not evaluate(rule, facts(all_outcomes=frozenset()))


@pytest.mark.parametrize(
    "op, score, expected",
    [
        (">=", 70, True),
        (">=", 69.99, False),
        (">", 70, False),
        (">", 70.5, True),
        ("==", 70, True),
        ("==", 71, False),
        ("<=", 70, True),
        ("<", 70, False),
        ("<", 10, True),
    ],
)
def test_min_score_ops(op, score, expected):
    assert evaluate({"min_score": {"value": 70, "op": op}}, facts(score_percent=score)) is expected


def test_min_score_default_op_and_no_submission():
    assert evaluate({"min_score": {"value": 70}}, facts(score_percent=70.0))
    node = explain({"min_score": {"value": 0}}, facts(score_percent=None))
    assert node["holds"] is False and "no assessment" in node["detail"]


def test_assessments_completed_lists_missing():
    rule = {"assessments_completed": ["quiz1", "quiz2"]}
    node = explain(rule, facts(completed_assessments=frozenset({"quiz1"})))
    assert node["holds"] is False and node["detail"].endswith("quiz2")
    assert evaluate(rule, facts(completed_assessments=frozenset({"quiz1", "quiz2", "other"})))


@pytest.mark.parametrize(
    "window, now, expected",
    [
        ({"not_before": "2026-06-15"}, NOW, True),
        ({"not_before": "2026-06-16"}, NOW, False),
        ({"not_after": "2026-06-15"}, NOW, True),  # a bare date includes the whole day
        ({"not_after": "2026-06-14"}, NOW, False),
        ({"not_after": "2026-06-15T13:00:00+02:00"}, NOW, False),  # 11:00 UTC
        ({"not_before": "2026-01-01", "not_after": "2026-12-31"}, NOW, True),
    ],
)
def test_window(window, now, expected):
    assert evaluate({"window": window}, facts(now=now)) is expected


def test_course_passed():
    assert not evaluate({"course_passed": True}, facts())
    assert evaluate({"course_passed": True}, facts(course_passed=True))


def test_explain_tree_shows_which_parts_hold():
    rules = {"all": [{"all_outcomes": True}, {"any": [{"min_score": {"value": 80}}, {"course_passed": True}]}]}
    tree = explain(rules, facts(validated_outcomes=OUTCOMES, score_percent=75))
    assert tree["holds"] is False
    assert [c["holds"] for c in tree["children"]] == [True, False]
    inner = tree["children"][1]
    assert inner["path"] == "rules.all[1]" and inner["children"][0]["path"] == "rules.all[1].any[0]"
    assert inner["children"][0]["params"] == {"score": 75, "op": ">=", "target": 80.0}
    assert inner["children"][0]["msgid"] % inner["children"][0]["params"] == inner["children"][0]["detail"]
    json.dumps(tree)  # serialisable for the staff preview


# ----------------------------------------------------------------------------------------- properties

leaves = st.one_of(
    st.just({"all_outcomes": True}),
    st.just({"course_passed": True}),
    st.builds(
        lambda v, op: {"min_score": {"value": v, "op": op}},
        st.integers(0, 100),
        st.sampled_from([">=", ">", "==", "<=", "<"]),
    ),
    st.builds(
        lambda names: {"assessments_completed": names},
        st.lists(st.sampled_from(["q1", "q2", "q3"]), min_size=1, max_size=3),
    ),
    st.builds(lambda d: {"window": {"not_before": (NOW + timedelta(days=d)).isoformat()}}, st.integers(-3, 3)),
)
trees = st.recursive(
    leaves,
    lambda kids: st.builds(
        lambda kind, children: {kind: children}, st.sampled_from(["all", "any"]), st.lists(kids, min_size=1, max_size=4)
    ),
    max_leaves=12,
)
fact_values = st.builds(
    facts,
    validated_outcomes=st.frozensets(st.sampled_from(sorted(OUTCOMES))),
    score_percent=st.one_of(st.none(), st.floats(0, 100)),
    completed_assessments=st.frozensets(st.sampled_from(["q1", "q2", "q3"])),
    course_passed=st.booleans(),
)


def _reference(rules, f) -> bool:
    """An independent oracle written from the rule descriptions, not from rules.py."""
    kind, value = next(iter(rules.items()))
    if kind in ("all", "any"):
        return (all if kind == "all" else any)(_reference(c, f) for c in value)
    if kind == "all_outcomes":
        return bool(f.all_outcomes) and f.all_outcomes <= f.validated_outcomes
    if kind == "course_passed":
        return f.course_passed
    if kind == "min_score":
        compare = {">=": float.__ge__, ">": float.__gt__, "==": float.__eq__, "<=": float.__le__, "<": float.__lt__}
        return f.score_percent is not None and compare[value["op"]](float(f.score_percent), float(value["value"]))
    if kind == "assessments_completed":
        return set(value) <= f.completed_assessments
    return f.now >= datetime.fromisoformat(value["not_before"])


@settings(max_examples=200, deadline=None)
@given(trees, fact_values)
def test_evaluate_equals_explain_root(rules, f):
    if _depth(rules) >= 8:
        return
    validate_rules(rules)
    assert evaluate(rules, f) is explain(rules, f)["holds"] is _reference(rules, f)
    assert json.loads(json.dumps(rules)) == rules


@settings(max_examples=100, deadline=None)
@given(trees, fact_values)
def test_failing_part_breaks_all_and_passing_part_makes_any(rules, f):
    """Adding a failing leaf to an AND makes it fail; adding a passing one to an OR makes it pass."""
    if _depth(rules) >= 7:
        return
    failing = {"assessments_completed": ["never-submitted"]}
    passing = {"window": {"not_before": "2000-01-01"}}
    assert evaluate({"all": [rules, failing]}, f) is False
    assert evaluate({"any": [rules, passing]}, f) is True


def _depth(rules) -> int:
    kind, value = next(iter(rules.items()))
    return 1 + max(map(_depth, value)) if kind in ("all", "any") else 1
