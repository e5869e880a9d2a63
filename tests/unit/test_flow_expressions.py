"""The flow expression language: what it allows, what it refuses, and its bounds."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from knowledge.flows.expressions import (
    Env,
    EvaluationError,
    ExpressionError,
    OptionUse,
    Reference,
    compile_expression,
    compile_template,
    display,
    evaluate,
    render,
)

ENV = Env(
    answers={"plan": "family", "budget": 180, "apps": ["video", "games"], "ok": True},
    customer={
        "name": "王芳",
        "tier": "A",
        "tags": ["高价值", "VIP"],
        "products": ["5G-PLUS-129", "BB-FIBER-500"],
        "created_at": "2026-01-01",
        "city": None,
    },
    call={"queue": "sales", "ivr": "1-2", "dnis": "10010"},
    today=date(2026, 3, 1),
)


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("answers.budget >= 150 and customer.tier == 'A'", True),
        ("answers.plan in ['family', 'single']", True),
        ("'video' in answers.apps", True),
        ("answers.plan != 'family' or not answers.ok", False),
        ("has_tag('vip') and has_tag('高价值')", True),
        ("owns('5g plus 129') and not owns('5G-PLUS-199')", True),
        ("len(answers.apps)", 2),
        ("lower('ABC') + upper('d')", "abcD"),
        ("contains(answers.apps, 'games') and contains(customer.name, '王')", True),
        ("any_of(answers.apps, ['music', 'video'])", True),
        ("all_of(answers.apps, ['video', 'music'])", False),
        ("days_since(customer.created_at)", 59),
        ("customer.city", None),
        ("customer.city == null", True),
        ("true and not false", True),
        ("call.queue == 'sales' and call.ivr == '1-2'", True),
        ("min(answers.budget, 100) + max(1, 2) * 3 - abs(-1)", 105),
        ("round(answers.budget / 7, 2)", 25.71),
        ("2 ** 10 % 1000 // 3", 8),
        ("'high' if answers.budget > 150 else 'low'", "high"),
        ("1 < answers.budget < 200", True),
    ],
)
def test_allowed(expression: str, value: Any) -> None:
    assert evaluate(expression, ENV) == value


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("__import__('os')", "'__import__' is not allowed"),
        ("__builtins__", "names starting with '_'"),
        ("answers.__class__", "names starting with '_'"),
        ("answers.plan.__class__.__mro__", "names starting with '_'"),
        ("().__class__.__base__.__subclasses__()", "names starting with '_'"),
        ("'{0.__class__}'.format(answers)", "methods are not available"),
        ("answers.plan.upper()", "methods are not available"),
        ("open('/etc/passwd')", "'open' is not allowed"),
        ("getattr(answers, 'x')", "'getattr' is not allowed"),
        ("x + 1", "unknown name 'x'"),
        ("answers", "write answers.<field>"),
        ("len", "is a function"),
        ("9 ** 999999", "power is too large"),
        ("[c for c in 'abc']", "comprehensions"),
        ("{c: 1 for c in 'ab'}", "comprehensions"),
        ("(c for c in 'ab')", "comprehensions"),
        ("lambda: 1", "lambda"),
        ("answers.apps[0]", "indexing"),
        ("{'a': 1}", "dictionaries"),
        ("f'{answers.plan}'", "f-strings"),
        ("(x := 1)", "':='"),
        ("customer.tire", "customer has no field 'tire'"),
        ("call.secret", "call has no field 'secret'"),
        ("len(answers.apps, 2)", "takes 1 argument"),
        ("round(x=1)", "no keyword arguments"),
        ("answers.plan ==", "syntax error"),
        ("a = 1", "syntax error"),
        ("", "empty"),
        ("1 +" + " 1 +" * 300 + " 1", "characters; the limit"),
        ("b'x'", "only text, numbers"),
        ("1 << 2", "not available"),
    ],
)
def test_refused(expression: str, words: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(expression)
    assert words in caught.value.message


def test_too_many_parts() -> None:
    with pytest.raises(ExpressionError, match="too complex"):
        compile_expression("+".join(["1"] * 150))


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("answers.missing", "answers.missing has no answer"),
        ("answers.budget ** 99 ** 2", "power is too large"),
        ("(2 ** 100) ** 100", "power is too large"),
        ("'ab' * 1000", "only numbers can be multiplied"),
        ("answers.apps * 1000", "only numbers can be multiplied"),
        ("'%s%s' % (1, 2)", "numbers only"),
        ("1 / 0", "ZeroDivisionError"),
        ("answers.plan < 3", "TypeError"),
        ("days_since(customer.city)", "got no date"),
        ("days_since('soon')", "is not a date"),
        ("round(1.5, 10 ** 6)", "digits"),
        ("(10.0 ** 99) ** 99", "OverflowError"),
    ],
)
def test_runtime_errors_are_evaluation_errors(expression: str, words: str) -> None:
    with pytest.raises(EvaluationError) as caught:
        evaluate(expression, ENV)
    assert words in caught.value.message


def test_long_text_is_refused_at_run_time() -> None:
    env = Env({"text": "x" * 9_000}, {}, {}, date(2026, 1, 1))
    with pytest.raises(EvaluationError, match="too long"):
        evaluate("answers.text + answers.text", env)


def test_references_and_option_uses() -> None:
    compiled = compile_expression(
        "answers.plan == 'family' and 'video' in answers.apps and customer.tier == 'A'"
        " and any_of(answers.extras, ['a', 'b'])"
    )
    assert compiled.answers_used == {"plan", "apps", "extras"}
    assert Reference("customer", "tier") in compiled.references
    assert [(u.var, u.value) for u in compiled.option_uses] == [
        ("plan", "family"),
        ("apps", "video"),
        ("extras", "a"),
        ("extras", "b"),
    ]
    assert isinstance(compiled.option_uses[0], OptionUse)


def test_error_columns_count_characters() -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression("'客户' == nope")
    assert caught.value.column == 9


def test_evaluation_does_not_touch_the_answers() -> None:
    answers = {"apps": ["video"]}
    env = Env(answers, {}, {}, date(2026, 1, 1))
    assert evaluate("answers.apps + ['x']", env) == ("video", "x")
    assert answers == {"apps": ["video"]}


# --- templates -------------------------------------------------------------------------------


def test_template_fields_defaults_labels_and_braces() -> None:
    template = compile_template(
        "{customer.name}您好，{answers.plan}，{answers.apps}，{customer.city|城市未知}，"
        "{answers.ok}，{{原样}}，{ call.queue }"
    )
    labels = {"plan": {"family": "家庭套餐"}, "apps": {"video": "视频"}}
    text = render(template, ENV, lambda var: labels.get(var, {}))
    assert text == "王芳您好，家庭套餐，视频、games，城市未知，是，{原样}，sales"
    assert [r.name for r in template.references] == ["name", "plan", "apps", "city", "ok", "queue"]


def test_template_in_english_shows_yes_no() -> None:
    env = Env({"ok": False, "n": 2.0}, {}, {}, date(2026, 1, 1), language="en")
    assert render("{answers.ok} {answers.n}", env) == "no 2"


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("您好 {name}", "is not a field"),
        ("{customer.name", "never closed"),
        ("{customer.tire}", "customer has no field 'tire'"),
        ("{answers.__class__}", "names starting with '_'"),
        ("{answers.plan.label}", "is not a field"),
        ("{1 + 1}", "is not a field"),
    ],
)
def test_bad_templates(template: str, words: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_template(template)
    assert words in caught.value.message


def test_template_with_an_unset_answer() -> None:
    with pytest.raises(EvaluationError, match=r"answers\.nope has no answer"):
        render("{answers.nope}", ENV)
    assert render("{answers.nope|—}", ENV) == "—"
    assert render("{customer.industry}", ENV) == ""


def test_display() -> None:
    assert display(None) == ""
    assert display([True, 3.0, "a"], "en") == "yes, 3, a"
    assert display(2.5) == "2.5"
