"""``flows check``: every defect is reported with its file, line and code."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from knowledge.flows.check import KnowledgeRefs, check, check_source, main
from knowledge.flows.model import Problem

HEADER = """\
id: test-flow
version: 1
title: 测试
language: zh
start: ask
nodes:
"""

GOOD_NODES = """\
  ask:
    kind: question
    text: 需要帮助吗？
    answer: yes_no
    var: wants
    branches:
      - when: answers.wants
        goto: done
    otherwise: bye
  done:
    kind: end
    outcome: resolved
  bye:
    kind: end
    outcome: not_interested
"""


def flow(nodes: str, header: str = HEADER) -> str:
    return header + textwrap.indent(textwrap.dedent(nodes), "  ")


def write(tmp_path: Path, text: str, name: str = "flow.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, marker: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``marker``."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if marker in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{marker!r} not in the text")


def problems_of(tmp_path: Path, text: str) -> list[Problem]:
    path = write(tmp_path, text)
    found = check(path)
    assert all(p.file == str(path) for p in found)
    return found


def only(problems: list[Problem], code: str) -> Problem:
    matching = [p for p in problems if p.code == code]
    assert len(matching) == 1, problems
    return matching[0]


def test_a_good_flow_has_no_problems(tmp_path: Path) -> None:
    assert problems_of(tmp_path, HEADER + GOOD_NODES) == []


# --- YAML and shape --------------------------------------------------------------------------


def test_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    text = HEADER + "  ask:\n    kind: end\n    outcome: [resolved\n  other: x\n"
    problem = only(problems_of(tmp_path, text), "yaml-syntax")
    assert problem.line >= line_of(text, "outcome: [resolved")
    assert problem.column is not None


def test_tab_indentation_is_a_yaml_syntax_error(tmp_path: Path) -> None:
    text = HEADER + "  ask:\n\tkind: end\n"
    assert only(problems_of(tmp_path, text), "yaml-syntax").line == 8


def test_empty_file_and_non_mapping(tmp_path: Path) -> None:
    assert only(problems_of(tmp_path, ""), "not-a-flow").line == 1
    assert only(problems_of(tmp_path, "- a\n- b\n"), "not-a-flow").line == 1


def test_unknown_node_kind_with_a_suggestion(tmp_path: Path) -> None:
    text = flow(
        """\
        ask:
          kind: questoin
          text: 你好
          next: done
        done:
          kind: end
          outcome: resolved
        """
    )
    problem = only(problems_of(tmp_path, text), "unknown-kind")
    assert problem.line == line_of(text, "kind: questoin")
    assert problem.node == "ask"
    assert "did you mean 'question'" in problem.message


def test_unknown_field_with_a_suggestion(tmp_path: Path) -> None:
    text = HEADER + GOOD_NODES.replace("outcome: resolved", "outcome: resolved\n    nxt: ask")
    problem = only(problems_of(tmp_path, text), "unknown-field")
    assert problem.line == line_of(text, "nxt: ask")
    assert problem.node == "done"


def test_field_of_another_answer_kind(tmp_path: Path) -> None:
    text = HEADER + GOOD_NODES.replace("answer: yes_no", "answer: yes_no\n    max: 3")
    problem = only(problems_of(tmp_path, text), "unknown-field")
    assert problem.line == line_of(text, "max: 3")
    assert "answer: number" in problem.message


def test_unknown_top_level_field(tmp_path: Path) -> None:
    text = HEADER.replace("title:", "titel: x\ntitle:") + GOOD_NODES
    problem = only(problems_of(tmp_path, text), "unknown-field")
    assert problem.line == line_of(text, "titel:")
    assert problem.node is None


def test_missing_required_fields(tmp_path: Path) -> None:
    text = flow(
        """\
        ask:
          kind: question
          text: 你好
          answer: single
          options: [{value: a, label: A}, {value: b, label: B}]
          next: done
        done:
          kind: end
        """
    )
    found = problems_of(tmp_path, text)
    missing = sorted((p.line, p.node, p.message) for p in found if p.code == "missing-field")
    assert missing == [
        (line_of(text, "  ask:"), "ask", "a question needs 'var'"),
        (line_of(text, "  done:"), "done", "an end node needs 'outcome'"),
    ]


def test_missing_top_level_fields(tmp_path: Path) -> None:
    text = "id: x\nnodes:\n" + GOOD_NODES
    found = problems_of(tmp_path, text)
    messages = {p.message for p in found if p.code == "missing-field"}
    assert messages == {
        "a flow needs 'version'",
        "a flow needs 'title'",
        "a flow needs 'language'",
        "a flow needs 'start'",
    }
    assert {p.line for p in found if p.code == "missing-field"} == {1}


def test_bad_values(tmp_path: Path) -> None:
    text = (
        HEADER.replace("version: 1", "version: 1.5").replace("language: zh", "language: fr")
        + GOOD_NODES
    )
    found = problems_of(tmp_path, text)
    assert {(p.line, p.code) for p in found} == {
        (line_of(text, "version: 1.5"), "bad-value"),
        (line_of(text, "language: fr"), "bad-value"),
    }


def test_yaml_yes_no_trap_in_option_values_and_targets(tmp_path: Path) -> None:
    text = flow(
        """\
        ask:
          kind: question
          text: 有宽带吗？
          answer: single
          options:
            - {value: yes, label: 有}
            - {value: "no", label: 没有}
          var: has_broadband
          next: no
        """
    )
    found = problems_of(tmp_path, text)
    bad = {p.line: p.message for p in found if p.code == "bad-value"}
    assert "quote it" in bad[line_of(text, "value: yes")]
    assert "put the name in quotes" in bad[line_of(text, "next: no")]


def test_duplicate_option_values(tmp_path: Path) -> None:
    text = HEADER + GOOD_NODES.replace(
        "answer: yes_no",
        "answer: single\n    options:\n      - {value: a, label: A}\n"
        "      - {value: b, label: B}\n      - {value: a, label: again}",
    ).replace("when: answers.wants", "when: answers.wants == 'a'")
    problem = only(problems_of(tmp_path, text), "duplicate-option")
    assert problem.line == line_of(text, "label: again")
    assert f"already used on line {line_of(text, 'label: A}')}" in problem.message


def test_a_node_defined_twice(tmp_path: Path) -> None:
    text = HEADER + GOOD_NODES + "  done:\n    kind: end\n    outcome: sold\n"
    problem = only(problems_of(tmp_path, text), "duplicate-key")
    assert problem.line == line_of(text, "  done:", 2)
    assert f"first on line {line_of(text, '  done:')}" in problem.message


def test_text_starting_with_a_brace_must_be_quoted(tmp_path: Path) -> None:
    text = HEADER + GOOD_NODES.replace("text: 需要帮助吗？", "text: {customer.name}")
    problem = only(problems_of(tmp_path, text), "bad-value")
    assert problem.line == line_of(text, "text: {customer.name}")
    assert "in quotes" in problem.message
    text = HEADER + GOOD_NODES.replace("text: 需要帮助吗？", "text: {customer.name} 您好")
    problem = only(problems_of(tmp_path, text), "yaml-syntax")
    assert problem.line == line_of(text, "text: {customer.name}")
    assert "in quotes" in problem.message


def test_bad_pattern_and_ranges(tmp_path: Path) -> None:
    text = flow(
        """\
        ask:
          kind: question
          text: 号码？
          answer: text
          pattern: "[0-9"
          var: phone
          next: amount
        amount:
          kind: question
          text: 金额？
          answer: number
          min: 10
          max: 1
          var: amount
          next: done
        done:
          kind: end
          outcome: resolved
        """
    )
    found = problems_of(tmp_path, text)
    assert {(p.line, p.code) for p in found} == {
        (line_of(text, 'pattern: "[0-9"'), "bad-value"),
        (line_of(text, "max: 1"), "bad-value"),
    }


def test_set_node_fields_and_modes(tmp_path: Path) -> None:
    text = flow(
        """\
        ask:
          kind: set
          field: customer.tgas
          value: "'VIP'"
          next: tier
        tier:
          kind: set
          field: customer.tier
          mode: add
          value: "'A'"
          next: done
        done:
          kind: end
          outcome: resolved
        """
    )
    found = problems_of(tmp_path, text)
    bad = {p.line: p.message for p in found if p.code == "bad-value"}
    assert "did you mean 'customer.tags'" in bad[line_of(text, "field: customer.tgas")]
    assert "list fields" in bad[line_of(text, "mode: add")]


# --- the graph -------------------------------------------------------------------------------


def test_unknown_targets(tmp_path: Path) -> None:
    text = flow(
        """\
        ask:
          kind: question
          text: 你好
          answer: yes_no
          var: ok
          branches:
            - when: answers.ok
              goto: dnoe
          otherwise: nowhere
        done:
          kind: info
          text: 好
          next: missing
        """
    ).replace("start: ask", "start: begin")
    found = problems_of(tmp_path, text)
    targets = sorted((p.line, p.node) for p in found if p.code == "unknown-target")
    assert targets == [
        (line_of(text, "start: begin"), None),
        (line_of(text, "goto: dnoe"), "ask"),
        (line_of(text, "otherwise: nowhere"), "ask"),
        (line_of(text, "next: missing"), "done"),
    ]
    assert "did you mean 'done'" in next(p.message for p in found if "dnoe" in p.message)


def test_unreachable_nodes(tmp_path: Path) -> None:
    text = HEADER + GOOD_NODES + "  orphan:\n    kind: info\n    text: 孤儿\n    next: done\n"
    problem = only(problems_of(tmp_path, text), "unreachable")
    assert (problem.line, problem.node) == (line_of(text, "  orphan:"), "orphan")


def test_dead_ends(tmp_path: Path) -> None:
    text = flow(
        """\
        ask:
          kind: info
          text: 开场
          next: pick
        pick:
          kind: branch
          branches:
            - when: customer.tier == 'A'
              goto: stuck
        stuck:
          kind: kb
          articles: [KB-SCR-001]
        """
    )
    found = problems_of(tmp_path, text)
    dead = sorted((p.line, p.node) for p in found if p.code == "dead-end")
    assert dead == [(line_of(text, "  pick:"), "pick"), (line_of(text, "  stuck:"), "stuck")]


def test_cycle_with_no_way_out(tmp_path: Path) -> None:
    text = flow(
        """\
        ask:
          kind: question
          text: 继续吗？
          answer: yes_no
          var: go
          branches:
            - when: answers.go
              goto: loop_a
          otherwise: done
        loop_a:
          kind: question
          text: A
          answer: text
          var: a
          next: loop_b
        loop_b:
          kind: info
          text: B
          next: loop_a
        done:
          kind: end
          outcome: resolved
        """
    )
    problem = only(problems_of(tmp_path, text), "no-exit-cycle")
    assert (problem.line, problem.node) == (line_of(text, "  loop_a:"), "loop_a")
    assert "loop_a → loop_b" in problem.message


def test_a_loop_that_can_exit_is_fine(tmp_path: Path) -> None:
    text = flow(
        """\
        ask:
          kind: question
          text: 号码？
          answer: text
          var: phone
          next: confirm
        confirm:
          kind: question
          text: "是 {answers.phone} 吗？"
          answer: yes_no
          var: right
          branches:
            - when: not answers.right
              goto: ask
          otherwise: done
        done:
          kind: end
          outcome: resolved
        """
    )
    assert problems_of(tmp_path, text) == []


def test_loop_without_a_question(tmp_path: Path) -> None:
    text = flow(
        """\
        ask:
          kind: question
          text: 你好
          answer: yes_no
          var: ok
          next: spin
        spin:
          kind: branch
          branches:
            - when: answers.ok
              goto: note
          otherwise: done
        note:
          kind: info
          text: 再来
          next: spin
        done:
          kind: end
          outcome: resolved
        """
    )
    problem = only(problems_of(tmp_path, text), "loop-without-question")
    assert (problem.line, problem.node) == (line_of(text, "  spin:"), "spin")


# --- variables -------------------------------------------------------------------------------


def test_variable_no_question_sets(tmp_path: Path) -> None:
    text = HEADER + GOOD_NODES.replace("when: answers.wants", "when: answers.want")
    problem = only(problems_of(tmp_path, text), "undefined-variable")
    assert problem.line == line_of(text, "when: answers.want")
    assert "no question sets answers.want" in problem.message
    assert "did you mean 'wants'" in problem.message


def test_variable_set_on_only_some_paths(tmp_path: Path) -> None:
    text = flow(
        """\
        ask:
          kind: question
          text: 宽带？
          answer: yes_no
          var: broadband
          branches:
            - when: answers.broadband
              goto: speed
          otherwise: summary
        speed:
          kind: question
          text: 速率？
          answer: number
          var: mbps
          next: summary
        summary:
          kind: info
          text: "宽带 {answers.mbps}M，{answers.mbps|未知}"
          next: decide
        decide:
          kind: branch
          branches:
            - when: answers.broadband and answers.mbps >= 500
              goto: done
          otherwise: done
        done:
          kind: end
          outcome: resolved
        """
    )
    found = [p for p in problems_of(tmp_path, text) if p.code == "undefined-variable"]
    assert [(p.line, p.node) for p in found] == [
        (line_of(text, 'text: "宽带'), "summary"),
        (line_of(text, "when: answers.broadband and"), "decide"),
    ]
    assert "ask → summary" in found[0].message
    assert "{answers.mbps|...}" in found[0].message
    assert "ask → summary → decide" in found[1].message


def test_a_question_sees_its_own_answer_in_branches_not_in_its_text(tmp_path: Path) -> None:
    text = HEADER + GOOD_NODES.replace("text: 需要帮助吗？", 'text: "又是 {answers.wants}？"')
    problem = only(problems_of(tmp_path, text), "undefined-variable")
    assert problem.line == line_of(text, "又是")


def test_variables_through_a_loop_are_definitely_assigned(tmp_path: Path) -> None:
    text = flow(
        """\
        ask:
          kind: question
          text: 姓名？
          answer: text
          var: name
          next: again
        again:
          kind: question
          text: "{answers.name}，还有问题吗？"
          answer: yes_no
          var: more
          branches:
            - when: answers.more
              goto: again
          otherwise: done
        done:
          kind: end
          outcome: resolved
          text: "再见 {answers.name}，{answers.more}"
        """
    )
    assert problems_of(tmp_path, text) == []


# --- expressions and templates ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("answers.wants ==", "syntax error"),
        ("__import__('os').system('x')", "'__import__' is not allowed"),
        ("answers.__class__", "names starting with '_'"),
        ("().__class__.__bases__", "names starting with '_'"),
        ("wants", "unknown name 'wants'"),
        ("eval('1')", "'eval' is not allowed"),
        ("2 ** 1000000", "power is too large"),
        ("[x for x in answers.wants]", "comprehensions"),
        ("customer.tire == 'A'", "customer has no field 'tire'"),
        ("answers.wants.upper()", "methods are not available"),
    ],
)
def test_bad_expressions(tmp_path: Path, expression: str, words: str) -> None:
    text = HEADER + GOOD_NODES.replace("when: answers.wants", "when: " + _yaml_quote(expression))
    problem = only(problems_of(tmp_path, text), "bad-expression")
    assert problem.line == line_of(text, "when: ")
    assert problem.node == "ask"
    assert words in problem.message


def _yaml_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_bad_templates(tmp_path: Path) -> None:
    text = HEADER + GOOD_NODES.replace(
        "outcome: resolved", 'outcome: resolved\n    text: "再见 {name}"'
    )
    text = text.replace(
        "outcome: not_interested", 'outcome: not_interested\n    text: "好 {customer.name"'
    )
    found = [p for p in problems_of(tmp_path, text) if p.code == "bad-template"]
    assert [(p.line, p.node) for p in found] == [
        (line_of(text, "再见 {name}"), "done"),
        (line_of(text, "好 {customer.name"), "bye"),
    ]


def test_unknown_option_in_a_comparison(tmp_path: Path) -> None:
    text = flow(
        """\
        ask:
          kind: question
          text: 哪类问题？
          answer: single
          options:
            - {value: billing, label: 话费}
            - {value: network, label: 网络}
          var: topic
          branches:
            - when: answers.topic == 'biling'
              goto: done
            - when: answers.topic in ['network', 'wifi']
              goto: done
          otherwise: yes_no
        yes_no:
          kind: question
          text: 好吗？
          answer: yes_no
          var: ok
          branches:
            - when: answers.ok == 'yes'
              goto: done
          otherwise: done
        done:
          kind: end
          outcome: resolved
        """
    )
    found = [p for p in problems_of(tmp_path, text) if p.code == "unknown-option"]
    assert [p.line for p in found] == [
        line_of(text, "'biling'"),
        line_of(text, "'wifi'"),
        line_of(text, "== 'yes'"),
    ]
    assert "did you mean 'billing'" in found[0].message
    assert "yes/no answer" in found[2].message


def test_knowledge_references(tmp_path: Path) -> None:
    text = flow(
        """\
        ask:
          kind: kb
          articles: [KB-SCR-001, KB-NOPE-1]
          next: offer
        offer:
          kind: recommend
          products:
            - product: 5G-PLUS-199
            - product: 5G-PLUS-999
          next: done
        done:
          kind: end
          outcome: sold
        """
    )
    refs = KnowledgeRefs(frozenset({"KB-SCR-001"}), frozenset({"5G-PLUS-199"}))
    found = check(write(tmp_path, text), knowledge=refs)
    assert {(p.code, p.line) for p in found} == {
        ("unknown-article", line_of(text, "articles:")),
        ("unknown-product", line_of(text, "5G-PLUS-999")),
    }
    assert check(write(tmp_path, text)) == []  # without a knowledge base, not checked


def test_duplicate_flow_versions_across_files(tmp_path: Path) -> None:
    write(tmp_path, HEADER + GOOD_NODES, "a.yaml")
    write(tmp_path, HEADER + GOOD_NODES, "b.yml")
    write(tmp_path, HEADER.replace("version: 1", "version: 2") + GOOD_NODES, "c.yaml")
    found = check(tmp_path)
    assert [(Path(p.file).name, p.line, p.code) for p in found] == [("b.yml", 1, "duplicate-flow")]


def test_one_broken_node_does_not_cascade(tmp_path: Path) -> None:
    text = HEADER + GOOD_NODES.replace("kind: question", "kind: quest")
    found = problems_of(tmp_path, text)
    assert [p.code for p in found] == ["unknown-kind"]


def test_check_source_names_the_given_file() -> None:
    found = check_source(HEADER + GOOD_NODES.replace("goto: done", "goto: gone"), "x/y.yaml")
    assert [str(p) for p in found] == [
        "x/y.yaml:14: unknown-target ask: goto goes to 'gone', which is not a node;"
        " did you mean 'done'?",
        "x/y.yaml:16: unreachable done: no path from start leads here",
    ]


# --- the command -----------------------------------------------------------------------------


def test_main_prints_file_line_code_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path, HEADER + GOOD_NODES, "good.yaml")
    broken = GOOD_NODES.replace("goto: done", "goto: gone")
    bad = write(tmp_path, HEADER.replace("version: 1", "version: 2") + broken, "bad.yaml")
    assert main([str(good)]) == 0
    assert capsys.readouterr().out == "1 flow file checked: no problems\n"
    assert main([str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{bad}:14: unknown-target ask: goto goes to 'gone'")
    assert out[-1] == "2 flow files checked: 2 problem(s) in 1 file(s)"


def test_main_usage_and_missing_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 1
    assert "usage" in capsys.readouterr().err
    assert main([str(tmp_path / "nope.yaml")]) == 1
    assert "read-error no such file or directory" in capsys.readouterr().out
    assert main([str(tmp_path)]) == 1
    assert "no flow files" in capsys.readouterr().out
    assert main(["--bogus", "x"]) == 1
    assert main(["--help"]) == 0


def test_bad_ids_duplicates_in_lists_and_nodes_without_kind(tmp_path: Path) -> None:
    text = flow(
        """\
        ask:
          kind: kb
          articles: [KB-SCR-001, KB-SCR-001]
          next: offer
        offer:
          kind: recommend
          products:
            - product: 5G-LITE-59
            - product: 5G-LITE-59
              why: again
          next: 9lives
        9lives:
          text: 没有 kind
          next: done
        done:
          kind: end
          outcome: Sold Out
        """
    )
    found = problems_of(tmp_path, text)
    assert sorted((p.code, p.line) for p in found) == [
        ("bad-id", line_of(text, "  9lives:")),
        ("bad-value", line_of(text, "outcome: Sold Out")),
        ("duplicate-article", line_of(text, "articles:")),
        ("duplicate-product", line_of(text, "- product: 5G-LITE-59", 2)),
        ("missing-field", line_of(text, "  9lives:")),
    ]
