"""The SMS grammar: what observers type and what the parser reads (no database)."""

from __future__ import annotations

import json

import pytest

from pollwatch.sms.grammar import SmsForm, load_forms, parse_message

OPENING = {"prefix": "PB", "groups": [
    {"name": "arrival", "fields": [
        {"tag": "AA", "type": "integer"}, {"tag": "AB", "type": "select"}, {"tag": "AC", "type": "multiselect"},
        {"tag": "AD", "type": "boolean"}, {"tag": "AE", "type": "integer"}, {"tag": "AF", "type": "comment"},
    ]},
]}
# A long Apollo checklist: groups lettered H…O, so tags contain I, L and O.
LONG = {"prefix": "PC", "groups": [
    {"name": "i", "fields": [{"tag": t, "type": "integer"} for t in ("IA", "IB", "IC")]},
    {"name": "l", "fields": [{"tag": t, "type": "integer"} for t in ("LD", "LE")]},
    {"name": "o", "fields": [{"tag": "OF", "type": "integer"}, {"tag": "OG", "type": "boolean"}]},
    {"name": "a", "fields": [{"tag": "AI", "type": "integer"}, {"tag": "AO", "type": "select"}]},
]}


@pytest.fixture
def forms():
    return load_forms([OPENING, LONG])


def parse(text, forms):
    return parse_message(text, forms).as_dict()


def test_apollo_shape_parses_to_apollos_values(forms):
    assert parse("PB495560AA2AB1AC3", forms) == {
        "prefix": "PB", "participant_id": "495560", "exclamation": False, "form_serial": None,
        "responses": {"AA": "2", "AB": "1", "AC": "3"}, "comment": None, "problems": [],
    }


def test_apollo_shape_with_serial_urgent_boolean_and_comment(forms):
    got = parse("PB495560X12!AA2AC123AD@queue outside", forms)
    assert got["form_serial"] == "12"
    assert got["exclamation"] is True
    assert got["responses"] == {"AA": "2", "AC": "123", "AD": 1}
    assert got["comment"] == "queue outside"
    assert got["problems"] == []


@pytest.mark.parametrize("typed", [
    "pb495560aa2ab1ac3",
    "PB 495560 AA 2 AB 1 AC 3",
    "PB-495560, AA2, AB1, AC3.",
    "  pb495560 aa2;ab1;ac3  ",
    "PB49556O AA2 ABl AC3",          # O for 0 and l for 1 inside numbers
    "PB495560 AA٢ AB١ AC٣",           # Arabic-Indic digits
    "ＰＢ４９５５６０ＡＡ２ＡＢ１ＡＣ３",  # fullwidth
])
def test_common_mistakes_are_forgiven(typed, forms):
    got = parse(typed, forms)
    assert (got["prefix"], got["participant_id"], got["responses"], got["problems"]) == (
        "PB", "495560", {"AA": "2", "AB": "1", "AC": "3"}, [])


def test_tags_with_i_l_o_keep_their_letters(forms):
    got = parse("PC123456IA2LD10OF3OG", forms)
    assert got["responses"] == {"IA": "2", "LD": "10", "OF": "3", "OG": 1}
    assert got["problems"] == []


def test_a_digit_typed_for_a_tags_letter_still_finds_the_tag(forms):
    got = parse("PC123456 1A2 LD1O 0F3 A12 A01", forms)
    assert got["responses"] == {"IA": "2", "LD": "10", "OF": "3", "AI": "2", "AO": "1"}
    assert got["problems"] == []


def test_no_space_between_observer_code_and_a_tag_starting_with_i(forms):
    got = parse("PC123456IA2", forms)
    assert (got["participant_id"], got["responses"]) == ("123456", {"IA": "2"})
    got = parse("PC1234561A2", forms)
    assert (got["participant_id"], got["responses"]) == ("123456", {"IA": "2"})


def test_every_problem_is_reported_not_the_first(forms):
    got = parse("PB495560 DD3 AA AB1 ZZ9", forms)
    assert got["responses"] == {"AB": "1"}
    assert got["problems"] == [
        "Unknown question DD; expected AA–AE", "AA has no value", "Unknown question ZZ; expected AA–AE"]


def test_a_duplicated_tag_keeps_the_last_value_and_says_so(forms):
    got = parse("PB495560AA2AB1AA5", forms)
    assert got["responses"] == {"AB": "1", "AA": "5"}
    assert got["problems"] == ["AA given more than once; the last value (5) is used"]


def test_unknown_prefix_and_missing_parts(forms):
    assert parse("ZZ123AA1", forms)["problems"] == ["Unknown form ZZ; expected PB, PC"]
    assert parse("PBAA2", forms)["problems"] == ["Observer code missing"]
    assert parse("", forms)["problems"] == ["Empty message"]
    assert parse("   ", forms)["problems"] == ["Empty message"]


def test_out_of_range_options_are_reported_when_the_form_knows_them():
    form = SmsForm.from_dict({"prefix": "PB", "fields": [
        {"tag": "AB", "type": "select", "options": 3}, {"tag": "AC", "type": "multiselect", "options": ["a", "b"]},
        {"tag": "AA", "type": "integer", "min": 0, "max": 2000}]})
    got = parse_message("PB1 AB7 AC13 AA5000", [form]).as_dict()
    assert got["problems"] == ["AB7: no option 7 (1–3)", "AC13: no option 3 (1–2)", "AA5000: above the maximum 2000"]


def test_forms_json_errors_name_the_problem():
    with pytest.raises(ValueError, match="prefix must be letters"):
        load_forms([{"prefix": "P1", "groups": []}])
    with pytest.raises(ValueError, match="type 'text'"):
        load_forms([{"prefix": "PB", "groups": [{"fields": [{"tag": "AA", "type": "text"}]}]}])


def test_long_and_binary_messages_get_an_answer(forms):
    got = parse("PB1" + "AA1" * 700, forms)
    assert got["responses"] == {"AA": "1"}
    assert len(got["problems"]) == 1
    got = parse("\x00\xff\x01\ufffd\u202e", forms)
    assert got["problems"] == ["Empty message"]
    json.dumps(got)


def test_cli_batch_mode_follows_the_contract(tmp_path, forms):
    from typer.testing import CliRunner

    from pollwatch.cli.main import app

    path = tmp_path / "forms.json"
    path.write_text(json.dumps([OPENING, LONG]))
    lines = ["PB495560AA2AB1AC3", "", "pc123456 ia2 ld 1o", "ZZ1 @hello", "PB1AA1\r"]
    result = CliRunner().invoke(app, ["sms", "parse", "--forms", str(path), "--json"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert len(out) == len(lines)
    assert [o["prefix"] for o in out] == ["PB", None, "PC", "ZZ", "PB"]
    assert out[2]["responses"] == {"IA": "2", "LD": "10"}
    assert out[3]["comment"] == "hello"
    assert set(out[0]) == {"prefix", "participant_id", "exclamation", "form_serial", "responses", "comment",
                           "problems"}


def test_cli_batch_mode_refuses_a_bad_forms_file(tmp_path):
    from typer.testing import CliRunner

    from pollwatch.cli.main import app

    path = tmp_path / "forms.json"
    path.write_text("{not json")
    result = CliRunner().invoke(app, ["sms", "parse", "--forms", str(path), "--json"], input="PB1AA1\n")
    assert result.exit_code == 2
    assert "not JSON" in result.output
