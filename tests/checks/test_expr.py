"""The quality-check expression language: parsing, errors with positions, evaluation, not-applicable."""

import pytest

from pollwatch.checks.expr import FAIL, NOT_APPLICABLE, PASS, check, evaluate, field_names, parse

COUNT = {"registered": 800, "votes_total": 500, "ballots_cast": 500, "valid": 480, "invalid": 20,
         "candidate_a": 300, "candidate_b": 180, "sealed": True}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("votes_total <= registered", PASS),
        ("votes_total > registered", FAIL),
        ("ballots_cast == valid + invalid", PASS),
        ("sum(candidate_*) == valid", PASS),
        ("sum(candidate_a, candidate_b) == valid", PASS),
        ("count(candidate_*) == 2", PASS),
        ("abs(valid - 500) == 20", PASS),
        ("min(valid, invalid) == 20 and max(valid, invalid) == 480", PASS),
        ("invalid / ballots_cast < 0.05", PASS),
        ("not sealed", FAIL),
        ("sealed == true", PASS),
        ("valid * 2 - -1 == 961", PASS),
        ("(valid + invalid) * 1 == ballots_cast or false", PASS),
        ("if_present(extra, 0) == 0", PASS),
    ],
)
def test_expressions_evaluate_like_arithmetic_over_the_fields(source, expected):
    assert check(source, COUNT) == expected


def test_multiplication_binds_tighter_than_addition():
    assert check("1 + 2 * 3 == 7", {}) == PASS


def test_a_missing_field_makes_the_check_not_applicable():
    assert check("votes_total <= registered", {"votes_total": 10}) == NOT_APPLICABLE
    assert check("votes_total <= registered", {"votes_total": 10, "registered": ""}) == NOT_APPLICABLE


def test_sum_skips_missing_fields_but_is_not_applicable_when_all_are_missing():
    assert check("sum(candidate_*) == 3", {"candidate_a": 3, "candidate_b": None}) == PASS
    assert check("sum(candidate_*) == 0", {"candidate_a": None}) == NOT_APPLICABLE


def test_numbers_sent_as_text_compare_as_numbers():
    assert check("votes_total <= registered", {"votes_total": "90", "registered": "100"}) == PASS


def test_division_by_zero_is_not_applicable():
    assert check("invalid / ballots_cast < 1", {"invalid": 1, "ballots_cast": 0}) == NOT_APPLICABLE


def test_comparing_text_with_a_number_is_not_applicable_rather_than_an_error():
    assert check("name < 3", {"name": "abc"}) == NOT_APPLICABLE


def test_strings_compare_for_equality():
    assert check("opened == 'yes'", {"opened": "yes"}) == PASS


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("votes_total <=", "position 14"),
        ("votes_total <= registerd", "unknown field 'registerd' at position 15"),
        ("a + * b", "unexpected '\\*' at position 4"),
        ("(a + b", "expected '\\)' at position 6"),
        ("a $ b", "unexpected character '\\$' at position 2"),
        ("eval(a)", "unknown function 'eval' at position 0"),
        ("__import__(a)", "unknown function '__import__' at position 0"),
        ("sum(nothing_*) == 1", "matches no field"),
        ("abs(a_*)", "only allowed inside sum"),
        ("a_* == 1", "only allowed inside sum"),
        ("a < b < c", "chained comparison"),
        ("abs(a, b)", "one argument"),
        ("", "empty expression"),
        ("a == 1 b", "unexpected 'b' at position 7"),
    ],
)
def test_bad_expressions_raise_a_value_error_naming_the_position(source, message):
    with pytest.raises(ValueError, match=message):
        parse(source, {"a", "b", "c", "a_1", "votes_total", "registered"})


def test_an_overlong_expression_is_refused():
    with pytest.raises(ValueError, match="longer than"):
        parse("a + " * 1000 + "a", {"a"})


def test_patterns_expand_to_the_known_fields_at_parse_time():
    tree = parse("sum(candidate_*) == valid", {"candidate_a", "candidate_b", "valid", "other"})
    assert field_names(tree) == {"candidate_a", "candidate_b", "valid"}
    assert evaluate(tree, {"candidate_a": 1, "candidate_b": 2, "valid": 3}) == PASS
