"""Cross-sell: association rules mined from order history, and the next products they suggest.

Each customer's set of products bought is one transaction. For a rule ``X → y``:

- support    = share of customers who bought every product of X and y;
- confidence = support(X ∪ {y}) / support(X): of those who bought X, how many bought y;
- lift       = confidence / support({y}): how much more likely y is given X than by chance.

Frequent itemsets are found level by level (Apriori: an itemset can only be frequent when all
its subsets are), up to ``max_antecedent + 1`` products. Rules keep a single consequent and must
clear all three thresholds. Results never depend on the order of the input.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class RuleThresholds:
    min_support: float = 0.01
    min_confidence: float = 0.2
    min_lift: float = 1.2
    max_antecedent: int = 2
    min_count: int = 3

    def __post_init__(self) -> None:
        if not 0 < self.min_support <= 1:
            raise ValueError("min_support must be within (0, 1]")
        if not 0 < self.min_confidence <= 1:
            raise ValueError("min_confidence must be within (0, 1]")
        if self.min_lift < 0:
            raise ValueError("min_lift must not be negative")
        if not 1 <= self.max_antecedent <= 4:
            raise ValueError("max_antecedent must be within 1..4")
        if self.min_count < 1:
            raise ValueError("min_count must be at least 1")


@dataclass(frozen=True)
class AssociationRule:
    antecedent: tuple[str, ...]
    consequent: str
    count: int
    antecedent_count: int
    support: float
    confidence: float
    lift: float


@dataclass(frozen=True)
class Recommendation:
    product: str
    rule: AssociationRule

    @property
    def why(self) -> str:
        r = self.rule
        return (
            f"{r.confidence:.0%} of the {r.antecedent_count} customers who bought "
            f"{' + '.join(r.antecedent)} also bought {self.product} (lift {r.lift:.1f})"
        )


def frequent_itemsets(
    transactions: Sequence[frozenset[str]], min_count: int, max_size: int
) -> dict[tuple[str, ...], int]:
    """Every itemset (sorted tuple) bought together by at least ``min_count`` customers."""
    counts: dict[tuple[str, ...], int] = {}
    singles = Counter(item for basket in transactions for item in basket)
    level: dict[tuple[str, ...], int] = {
        (item,): n for item, n in singles.items() if n >= min_count
    }
    counts.update(level)
    size = 1
    while level and size < max_size:
        size += 1
        frequent_items = sorted({item for itemset in level for item in itemset})
        candidates: Counter[tuple[str, ...]] = Counter()
        for basket in transactions:
            items = [item for item in frequent_items if item in basket]
            for combo in combinations(items, size):
                if all(sub in level for sub in combinations(combo, size - 1)):
                    candidates[combo] += 1
        level = {itemset: n for itemset, n in candidates.items() if n >= min_count}
        counts.update(level)
    return counts


def mine_rules(
    transactions: Iterable[Iterable[str]], thresholds: RuleThresholds | None = None
) -> list[AssociationRule]:
    """Rules ``X → y`` clearing the thresholds, strongest first (lift, confidence, support)."""
    t = thresholds or RuleThresholds()
    baskets = [frozenset(b) for b in transactions]
    baskets = [b for b in baskets if b]
    n = len(baskets)
    if n == 0:
        return []
    min_count = max(t.min_count, _ceil(t.min_support * n))
    counts = frequent_itemsets(baskets, min_count, t.max_antecedent + 1)
    rules: list[AssociationRule] = []
    for itemset, together in counts.items():
        if len(itemset) < 2:
            continue
        for consequent in itemset:
            antecedent = tuple(item for item in itemset if item != consequent)
            antecedent_count = counts[antecedent]
            confidence = together / antecedent_count
            lift = confidence / (counts[(consequent,)] / n)
            if confidence >= t.min_confidence and lift >= t.min_lift:
                rules.append(
                    AssociationRule(
                        antecedent,
                        consequent,
                        together,
                        antecedent_count,
                        together / n,
                        confidence,
                        lift,
                    )
                )
    rules.sort(key=lambda r: (-r.lift, -r.confidence, -r.support, r.antecedent, r.consequent))
    return rules


def recommend(
    owned: Iterable[str], rules: Sequence[AssociationRule], limit: int = 3
) -> list[Recommendation]:
    """Products the customer does not have, each by the strongest rule that applies."""
    have = set(owned)
    best: dict[str, AssociationRule] = {}
    for rule in rules:  # strongest first, so the first rule per product wins
        if rule.consequent in have or rule.consequent in best:
            continue
        if all(item in have for item in rule.antecedent):
            best[rule.consequent] = rule
            if len(best) >= limit:
                break
    return [Recommendation(product, rule) for product, rule in best.items()]


def _ceil(value: float) -> int:
    whole = int(value)
    return whole if whole == value else whole + 1
