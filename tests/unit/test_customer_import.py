"""Import rows: header aliases (Chinese too), mapping, validation reasons, credit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from customers.importer import (
    ImportFileError,
    columns,
    credit_code_check,
    is_credit_code,
    load_mapping,
    read_table,
    validate,
)

HEADERS = ["客户编号", "姓名", "手机", "公司", "邮箱", "统一社会信用代码", "信用额度", "备注"]


def test_chinese_headers_are_found_and_unknown_ones_ignored() -> None:
    cols = columns(HEADERS, {}, "f.csv")
    assert cols == {
        "external_id": 0,
        "name": 1,
        "phone": 2,
        "company": 3,
        "email": 4,
        "credit_code": 5,
        "credit_limit": 6,
    }


def test_a_mapping_overrides_aliases(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("Kunde: name\n备注: tags\n", encoding="utf-8")
    mapping = load_mapping(path)
    assert columns(["Kunde", "备注"], mapping, "f") == {"name": 0, "tags": 1}
    path.write_text("Kunde: nickname\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="unknown field 'nickname'"):
        load_mapping(path)


def test_two_columns_for_one_field_are_refused() -> None:
    with pytest.raises(ImportFileError, match="both 'phone'"):
        columns(["姓名", "手机", "电话"], {}, "f")


def test_company_and_name_make_an_enterprise_with_a_contact() -> None:
    cols = columns(HEADERS, {}, "f")
    cells = [
        "C-1",
        "张伟",
        "138 1234 5678",
        "深圳云帆科技有限公司",
        "zw@yunfan.cn",
        "",
        "1,000",
        "",
    ]
    row, problems = validate("f", 2, cells, cols, "CN")
    assert problems == []
    assert row is not None
    assert row.customer.kind == "enterprise"
    assert row.customer.name == "深圳云帆科技有限公司"
    assert row.customer.contacts[0].name == "张伟"
    assert row.customer.contacts[0].emails == ["zw@yunfan.cn"]
    assert str(row.profile["credit_limit"]) == "1000.00"


def test_every_problem_of_a_row_is_reported_with_its_field() -> None:
    cols = columns(HEADERS, {}, "f")
    cells = ["", "", "call me", "", "x@", "91350100M000100Y44", "-5", ""]
    row, problems = validate("f.csv", 7, cells, cols, "CN")
    assert row is None
    assert {(p.line, p.field) for p in problems} == {
        (7, "name"),
        (7, "phone"),
        (7, "credit_code"),
        (7, "credit_limit"),
        (7, "email"),
    }
    assert str(problems[0]).startswith("f.csv:7: ")


def test_credit_code_check_character() -> None:
    assert is_credit_code("91350100M000100Y43")
    assert credit_code_check("91350100M000100Y4") == "3"
    assert not is_credit_code("91350100M000100Y44")
    assert not is_credit_code("91350100M000100Y4")


def test_csv_lines_count_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text('姓名,标签\n"李\n娜",a\n王芳,b\n', encoding="utf-8-sig")
    headers, rows = read_table(path)
    assert headers == ["姓名", "标签"]
    assert [(line, cells[0]) for line, cells in rows] == [(2, "李\n娜"), (4, "王芳")]


def test_gb18030_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("姓名,手机\n王芳,13812345678\n".encode("gb18030"))
    headers, rows = read_table(path)
    assert headers == ["姓名", "手机"]
    assert list(rows) == [(2, ["王芳", "13812345678"])]
