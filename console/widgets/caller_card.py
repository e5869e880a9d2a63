"""The caller card: who is calling, for the four outcomes of the number lookup."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from console.i18n import N_, _
from console.widgets.labels import label
from switchboard.core.wire import Candidate, CustomerSummary, LookupStatus, ScreenPop

LABEL_WIDTH = 9
NO_CUSTOMER = N_("No customer with this number")
WITHHELD = N_("Number withheld by the caller")
WAITING = N_("Waiting for the next call")


def _fields(rows: list[tuple[str, str | None]]) -> Table:
    """Label/value rows; Rich measures cells, so double-width values stay aligned."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", width=LABEL_WIDTH, no_wrap=True)
    table.add_column(overflow="fold")
    for label, value in rows:  # noqa: F402 - the label column
        if value:
            table.add_row(_(label), value)
    return table


def _joined(values: list[str]) -> str | None:
    return ", ".join(values) if values else None


def _reason(candidate: Candidate | None, e164: str | None) -> str | None:
    if candidate is None:
        return None
    return f"{candidate.reason} ({e164})" if e164 else candidate.reason


def customer_rows(customer: CustomerSummary, match: str | None) -> Table:
    return _fields(
        [
            (N_("Customer"), customer.name),
            (N_("Contact"), customer.contact_name),
            (N_("Kind"), label(customer.kind)),
            (N_("Tier"), customer.tier),
            (N_("City"), customer.city),
            (N_("Phones"), _joined(customer.phones)),
            (N_("Emails"), _joined(customer.emails)),
            (N_("Tags"), _joined(customer.tags)),
            (N_("Match"), match),
        ]
    )


def candidate_rows(candidate: Candidate, e164: str | None) -> Table:
    return _fields(
        [
            (N_("Customer"), candidate.customer_name),
            (N_("Contact"), candidate.name),
            (N_("Kind"), label(candidate.kind)),
            (N_("Number"), candidate.number),
            (N_("Match"), _reason(candidate, e164)),
        ]
    )


def card_title(pop: ScreenPop | None) -> str:
    if pop is None:
        return _("Caller")
    return {
        LookupStatus.KNOWN: _("Caller · known"),
        LookupStatus.SEVERAL: _("Caller · {count} possible").format(
            count=len(pop.match.candidates)
        ),
        LookupStatus.UNKNOWN: _("Caller · unknown"),
        LookupStatus.WITHHELD: _("Caller · withheld"),
    }[pop.match.status]


def card_body(pop: ScreenPop | None, chosen: Candidate | None) -> RenderableType:
    """What the card shows for ``pop`` (and the candidate the agent picked, if several)."""
    if pop is None:
        return Text(_(WAITING), style="dim")
    match = pop.match
    first = match.candidates[0] if match.candidates else None
    if match.status is LookupStatus.KNOWN:
        if pop.customer is not None:
            return customer_rows(pop.customer, _reason(first, match.e164))
        if first is not None:
            return candidate_rows(first, match.e164)
        return Text(_("Known number, but the server sent no customer details"), style="italic")
    if match.status is LookupStatus.SEVERAL:
        if chosen is not None:
            return Group(Text(_("Chosen by the agent"), style="dim"), candidate_rows(chosen, None))
        count = len(match.candidates)
        return Group(
            Text(
                _("{count} customers use this number — choose one in the list above").format(
                    count=count
                )
            ),
            _fields([(N_("Number"), match.number), (N_("E.164"), match.e164)]),
        )
    if match.status is LookupStatus.UNKNOWN:
        return Group(
            Text(_(NO_CUSTOMER), style="bold"),
            _fields([(N_("Number"), match.number or pop.from_), (N_("E.164"), match.e164)]),
        )
    return Text(_(WITHHELD), style="bold")


class CallerCard(Widget):
    """Shows the latest screen pop. ``chosen`` is set when the agent picks a candidate."""

    # Repaint only; the layout is redone only when the card's height changes (below), since
    # laying the whole screen out again costs far more than drawing the card.
    pop: reactive[ScreenPop | None] = reactive(None)
    chosen: reactive[Candidate | None] = reactive(None)

    def watch_pop(self, pop: ScreenPop | None) -> None:
        self.border_title = card_title(pop)
        current = pop.match.status if pop else None
        for status in LookupStatus:
            self.set_class(status is current, f"-{status.value}")
        self._fit_height()

    def watch_chosen(self) -> None:
        self._fit_height()

    def _fit_height(self) -> None:
        if not self.is_mounted or self.content_size.width <= 0:
            self.refresh(layout=True)
            return
        width = self.content_size.width
        wanted = self.get_content_height(self.content_size, self.app.size, width)
        self.refresh(layout=wanted != self.content_size.height)

    def render(self) -> RenderableType:
        return card_body(self.pop, self.chosen)
