"""Reading flow files: YAML with line numbers, each node kind into its model type."""

from __future__ import annotations

from pathlib import Path

from knowledge.flows.loader import MAX_FILE_BYTES, YList, YMap, load_file, load_source, parse_yaml
from knowledge.flows.model import (
    AnswerKind,
    BranchNode,
    EndNode,
    InfoNode,
    KbNode,
    QuestionNode,
    RecommendNode,
    SetNode,
    TicketNode,
    edges,
)

TEXT = """\
id: shapes
version: 7
title: 形状
language: mixed
description: every kind
start: q
nodes:
  q:
    kind: question
    text: "Hi {customer.name}"
    answer: number
    min: 1
    max: 9.5
    var: n
    branches:
      - when: answers.n > 5
        goto: big
    otherwise: info
  big:
    kind: recommend
    products:
      - 5G-PLUS-199
      - product: DATA-5G-10
        when: answers.n > 8
        why: 多
    limit: 1
    next: info
  info:
    kind: info
    text: 说明
    next: split
  split:
    kind: branch
    branches:
      - when: customer.tier == 'A'
        goto: articles
    otherwise: tag
  articles:
    kind: kb
    articles: KB-SCR-001
    query: 5G
    next: tag
  tag:
    kind: set
    field: request.category
    value: "'sales'"
    next: ticket
  ticket:
    kind: create_ticket
    category: sales
    title: t
    next: end
  end:
    kind: end
    outcome: sold
    text: bye
"""


def test_yaml_positions() -> None:
    data, duplicates = parse_yaml("a: 1\nb:\n  - x\n  - {c: 2}\na: 3\n")
    assert isinstance(data, YMap)
    assert (data.line, data.key_lines) == (1, {"a": 1, "b": 2})
    assert data["a"] == 1  # the first of a duplicate key is kept
    items = data["b"]
    assert isinstance(items, YList)
    assert (items.line, items.item_lines) == (3, [3, 4])
    assert items[1].line == 4
    assert [(d.key, d.line, d.first_line) for d in duplicates] == [("a", 5, 1)]


def test_every_node_kind_is_built() -> None:
    result = load_source(TEXT, "shapes.yaml")
    assert result.problems == []
    flow = result.flow
    assert flow is not None
    assert (flow.id, flow.version, flow.language, flow.start, flow.file) == (
        "shapes",
        7,
        "mixed",
        "q",
        "shapes.yaml",
    )
    assert flow.line_of("start") == 6
    q = flow.nodes["q"]
    assert isinstance(q, QuestionNode)
    assert (q.line, q.answer.kind, q.answer.minimum, q.answer.maximum) == (
        8,
        AnswerKind.NUMBER,
        1,
        9.5,
    )
    assert [(e.target, e.line, e.via) for e in edges(q)] == [
        ("big", 17, "goto"),
        ("info", 18, "otherwise"),
    ]
    big = flow.nodes["big"]
    assert isinstance(big, RecommendNode)
    assert [(p.product, p.when, p.why) for p in big.products] == [
        ("5G-PLUS-199", "", ""),
        ("DATA-5G-10", "answers.n > 8", "多"),
    ]
    assert big.limit == 1
    assert isinstance(flow.nodes["info"], InfoNode)
    assert isinstance(flow.nodes["split"], BranchNode)
    articles = flow.nodes["articles"]
    assert isinstance(articles, KbNode)
    assert (articles.articles, articles.query) == (("KB-SCR-001",), "5G")
    tag = flow.nodes["tag"]
    assert isinstance(tag, SetNode)
    assert (tag.field, tag.value, tag.mode) == ("request.category", "'sales'", "set")
    ticket = flow.nodes["ticket"]
    assert isinstance(ticket, TicketNode)
    assert (ticket.category, ticket.priority, ticket.description) == ("sales", "normal", "")
    end = flow.nodes["end"]
    assert isinstance(end, EndNode)
    assert (end.outcome, list(edges(end))) == ("sold", [])


def test_files_bom_encoding_size_and_documents(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("\ufeff" + TEXT, encoding="utf-8")
    assert load_file(path).problems == []
    path.write_bytes(b"id: x\ntitle: \xff\n")
    assert [(p.line, p.code) for p in load_file(path).problems] == [(2, "read-error")]
    path.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    assert [p.code for p in load_file(path).problems] == ["read-error"]
    assert [p.code for p in load_file(tmp_path / "none.yaml").problems] == ["read-error"]
    (problem,) = load_source("a: 1\n---\nb: 2\n").problems
    assert (problem.code, problem.line) == ("yaml-syntax", 2)
