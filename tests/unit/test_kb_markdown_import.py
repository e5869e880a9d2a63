"""Reading articles from Markdown with YAML front matter: problems name the file, line and key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from knowledge.markdown_import import (
    MAX_FILE_BYTES,
    ImportProblem,
    dump_article,
    parse_article,
    read_article,
    read_directory,
)
from knowledge.model import MAX_BODY_CHARS, Kind, Language, Status

GOOD = """\
---
id: KB-BILL-0001
title: 话费退款怎么办理
kind: solution
category: billing/refund
products: [5G-PLUS-199, TX-1001]
tags: [退款, refund]
language: zh
status: published
valid_from: 2026-01-01
valid_to: 2026-03-31
views: 12
---

客户要求退款时，先核对账单。

## 步骤
1. 查询缴费记录
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def only_problem(text: str) -> ImportProblem:
    article, problems = parse_article(text, "kb/x.md")
    assert article is None
    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) == 1, problems
    return errors[0]


def test_a_valid_file_is_read_whole(tmp_path: Path) -> None:
    article, problems = read_article(write(tmp_path, "a.md", GOOD))
    assert problems == []
    assert article is not None
    assert article.id == "KB-BILL-0001"
    assert article.kind == Kind.SOLUTION
    assert article.status == Status.PUBLISHED
    assert article.language == Language.ZH
    assert article.products == ("5G-PLUS-199", "TX-1001")
    assert article.tags == ("退款", "refund")
    assert article.valid_from == date(2026, 1, 1)
    assert article.valid_to == date(2026, 3, 31)
    assert article.views == 12
    assert article.summary == "客户要求退款时，先核对账单。"
    assert article.body.startswith("客户要求退款时")


def test_defaults_and_guessed_language() -> None:
    article, problems = parse_article(
        "---\nid: a1\ntitle: Weak signal\nkind: faq\n---\nCall near a window.\n"
    )
    assert problems == []
    assert article is not None
    assert article.status == Status.DRAFT  # nothing reaches agents by accident
    assert article.language == Language.EN
    assert article.products == ()
    assert article.valid_to is None


def test_comma_separated_lists_are_accepted() -> None:
    text = "---\nid: a1\ntitle: t\nkind: faq\nproducts: 5G-PLUS-199, TX-1001\n---\nbody"
    article, _ = parse_article(text)
    assert article is not None
    assert article.products == ("5G-PLUS-199", "TX-1001")


def test_broken_yaml_names_the_line() -> None:
    text = "---\nid: a1\ntitle: [unclosed\nkind: faq\n---\nbody\n"
    problem = only_problem(text)
    assert problem.path == "kb/x.md"
    assert (problem.line, problem.key) == (3, "title")  # where the list was opened
    assert "broken YAML" in problem.message
    assert "line 4" in problem.message  # where it was noticed
    assert str(problem).startswith(f"kb/x.md:{problem.line}:")


def test_tabs_in_yaml_are_reported_not_raised() -> None:
    problem = only_problem("---\nid: a1\n\ttitle: x\nkind: faq\n---\n")
    assert (problem.line, problem.key) == (3, "title")


@pytest.mark.parametrize("missing", ["id", "title", "kind"])
def test_a_missing_required_key(missing: str) -> None:
    lines = {"id": "id: a1", "title": "title: t", "kind": "kind: faq"}
    header = "\n".join(v for k, v in lines.items() if k != missing)
    problem = only_problem(f"---\n{header}\n---\nbody\n")
    assert problem.key == missing
    assert "missing" in problem.message


def test_an_unknown_kind_names_its_line_and_the_choices() -> None:
    problem = only_problem("---\nid: a1\ntitle: t\nkind: howto\n---\n")
    assert (problem.line, problem.key) == (4, "kind")
    assert "howto" in problem.message
    assert "solution" in problem.message


def test_an_unknown_status() -> None:
    problem = only_problem("---\nid: a1\ntitle: t\nkind: faq\nstatus: live\n---\n")
    assert (problem.line, problem.key) == (5, "status")


def test_valid_to_before_valid_from() -> None:
    text = "---\nid: a1\ntitle: t\nkind: faq\nvalid_from: 2026-03-01\nvalid_to: 2026-02-01\n---\n"
    problem = only_problem(text)
    assert (problem.line, problem.key) == (6, "valid_to")
    assert "before" in problem.message


def test_a_date_that_is_not_a_date() -> None:
    problem = only_problem("---\nid: a1\ntitle: t\nkind: faq\nvalid_to: next week\n---\n")
    assert (problem.line, problem.key) == (5, "valid_to")


def test_a_bad_id() -> None:
    problem = only_problem("---\nid: 'no spaces please'\ntitle: t\nkind: faq\n---\n")
    assert (problem.line, problem.key) == (2, "id")


def test_a_title_that_is_a_list() -> None:
    problem = only_problem("---\nid: a1\ntitle: [a, b]\nkind: faq\n---\n")
    assert (problem.line, problem.key) == (3, "title")


def test_a_huge_body_is_refused_at_the_body_line() -> None:
    text = "---\nid: a1\ntitle: t\nkind: faq\n---\n" + "长" * (MAX_BODY_CHARS + 1)
    problem = only_problem(text)
    assert (problem.line, problem.key) == (6, "body")
    assert f"{MAX_BODY_CHARS:,}" in problem.message


def test_a_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = write(tmp_path, "big.md", "---\nid: a\n---\n" + "x" * (MAX_FILE_BYTES + 10))
    article, problems = read_article(path)
    assert article is None
    assert problems[0].key == "body"
    assert problems[0].path == str(path)


def test_no_front_matter_and_unclosed_front_matter() -> None:
    assert "front matter" in only_problem("# just markdown\n").message
    problem = only_problem("---\nid: a1\ntitle: t\n")
    assert problem.line == 1
    assert "not closed" in problem.message


def test_front_matter_that_is_not_a_mapping() -> None:
    assert "mapping" in only_problem("---\n- a\n- b\n---\nbody\n").message


def test_unknown_keys_are_warnings_and_the_article_is_read() -> None:
    article, problems = parse_article("---\nid: a1\ntitle: t\nkind: faq\nowner: me\n---\nx")
    assert article is not None
    assert [(p.severity, p.key, p.line) for p in problems] == [("warning", "owner", 5)]
    assert "warning" in str(problems[0])


def test_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes(b"---\nid: a1\ntitle: caf\xe9\nkind: faq\n---\n")
    article, problems = read_article(path)
    assert article is None
    assert problems[0].line == 3
    assert "UTF-8" in problems[0].message


def test_a_directory_reports_problems_and_still_reads_the_valid_files(tmp_path: Path) -> None:
    write(tmp_path, "a/good.md", GOOD)
    write(tmp_path, "b/bad.md", "---\nid: a2\ntitle: t\nkind: nope\n---\n")
    write(tmp_path, "c/dup.md", GOOD.replace("话费退款怎么办理", "同一个id"))
    write(tmp_path, "d/ignored.txt", "not an article")
    report = read_directory(tmp_path)
    assert report.files == 3
    assert [a.id for a in report.articles] == ["KB-BILL-0001"]
    where = sorted((Path(p.path).name, p.line, p.key) for p in report.errors)
    assert where == [("bad.md", 4, "kind"), ("dup.md", 2, "id")]
    assert "a/good.md" in next(p.message for p in report.errors if p.key == "id")


def test_dump_and_read_back(tmp_path: Path) -> None:
    article, _ = read_article(write(tmp_path, "a.md", GOOD))
    assert article is not None
    again, problems = parse_article(dump_article(article))
    assert problems == []
    assert again == article
