"""The customer 360 in tabs: profile and value, timeline, requests, products, consent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from console.i18n import _
from console.views import Profile360
from console.widgets._text import column_width, fit
from console.widgets.labels import label

TABS = ("tab-profile", "tab-timeline", "tab-requests", "tab-products", "tab-consent")


def _grid(rows: list[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True)
    table.add_column(overflow="fold")
    for name, value in rows:
        if value:
            table.add_row(name, value)
    return table


def _reason(reason: Any) -> str:
    """A churn reason: the server's sentence when it sends one with its code and facts."""
    if isinstance(reason, Mapping):
        return str(reason.get("text") or reason.get("code") or "")
    return str(reason)


def _value_text(value: Mapping[str, Any]) -> str:
    parts = []
    abc = value.get("abc_class", value.get("abc"))
    clv = value.get("clv")
    if isinstance(clv, Mapping):  # the server sends the value with its formula
        clv = clv.get("value")
    if isinstance(clv, int | float):
        clv = f"{clv:,.0f}"
    for name, shown in ((_("Tier"), value.get("tier")), ("ABC", abc), ("CLV", clv)):
        if shown not in (None, ""):
            parts.append(f"{name} {shown}")
    rfm = value.get("rfm")
    if isinstance(rfm, Mapping):
        code = rfm.get("code") or "".join(str(rfm.get(k, "")) for k in ("r", "f", "m"))
        segment = rfm.get("segment")
        parts.append(f"RFM {code}" + (f" ({segment})" if segment else ""))
    elif rfm:
        parts.append(f"RFM {rfm}")
    return " · ".join(parts)


def profile_body(profile: Profile360 | None) -> RenderableType:
    if profile is None:
        return Text(_("No customer on this call yet"), style="dim")
    churn = profile.churn
    churn_text = ""
    if churn:
        level = str(churn.get("level") or "")
        score = churn.get("score")
        reasons = churn.get("reasons") or []
        churn_text = " ".join(
            part
            for part in (
                level,
                f"({score})" if score is not None else "",
                "— " + "; ".join(_reason(r) for r in reasons) if reasons else "",
            )
            if part
        )
    return _grid(
        [
            (_("Customer"), profile.name),
            (_("Kind"), label(profile.kind) if profile.kind else ""),
            (_("City"), profile.city),
            (_("Industry"), profile.industry),
            (_("Contacts"), ", ".join(profile.contacts)),
            (_("Phones"), ", ".join(profile.phones)),
            (_("Emails"), ", ".join(profile.emails)),
            (_("Tags"), ", ".join(profile.tags)),
            (_("Value"), _value_text(profile.value)),
            (_("Churn risk"), churn_text),
        ]
    )


def timeline_body(profile: Profile360 | None) -> RenderableType:
    if profile is None or not profile.timeline:
        return Text(_("Nothing on the timeline"), style="dim")
    kinds = column_width([kind for _at, kind, _s in profile.timeline], 12)
    lines = []
    for at, kind, summary in profile.timeline:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(at + "  ", style="dim")
        line.append(fit(kind, kinds) + "  ", style="bold")
        line.append(summary)
        lines.append(line)
    return Group(*lines)


def products_body(profile: Profile360 | None) -> RenderableType:
    if profile is None or not (profile.products or profile.recommendations):
        return Text(_("No products or recommendations"), style="dim")
    parts: list[RenderableType] = []
    if profile.products:
        parts.append(Text(_("Products: ") + ", ".join(profile.products)))
    if profile.recommendations:
        parts.append(Text(_("Recommended"), style="bold"))
        for product, why in profile.recommendations:
            line = Text("• ")
            line.append(product, style="bold")
            if why:
                line.append(f" — {why}", style="italic")
            parts.append(line)
    return Group(*parts)


def consent_body(profile: Profile360 | None) -> RenderableType:
    if profile is None or not profile.consent:
        return Text(_("No consent recorded"), style="dim")
    return _grid([(channel, status) for channel, status in profile.consent])


class ProfileTabs(Vertical):
    """The 360 of the current customer. ``profile`` and ``requests`` flow in."""

    class RequestChosen(Message):
        def __init__(self, number: str) -> None:
            super().__init__()
            self.number = number

    profile: reactive[Profile360 | None] = reactive(None)
    requests: reactive[tuple[Mapping[str, Any], ...]] = reactive(())

    def compose(self) -> ComposeResult:
        with TabbedContent(id="profile-tabs"):
            with TabPane(_("Profile"), id="tab-profile"):
                yield VerticalScroll(Static(id="profile-body"))
            with TabPane(_("Timeline"), id="tab-timeline"):
                yield VerticalScroll(Static(id="timeline-body"))
            with TabPane(_("Requests"), id="tab-requests"):
                yield OptionList(id="requests-list")
            with TabPane(_("Products"), id="tab-products"):
                yield VerticalScroll(Static(id="products-body"))
            with TabPane(_("Consent"), id="tab-consent"):
                yield VerticalScroll(Static(id="consent-body"))

    def on_mount(self) -> None:
        self._show(self.profile)
        self._show_requests(self.requests)

    def watch_profile(self, profile: Profile360 | None) -> None:
        if self.is_mounted:
            self._show(profile)

    def watch_requests(self, requests: tuple[Mapping[str, Any], ...]) -> None:
        if self.is_mounted:
            self._show_requests(requests)

    def _show(self, profile: Profile360 | None) -> None:
        self.query_one("#profile-body", Static).update(profile_body(profile))
        self.query_one("#timeline-body", Static).update(timeline_body(profile))
        self.query_one("#products-body", Static).update(products_body(profile))
        self.query_one("#consent-body", Static).update(consent_body(profile))

    def _show_requests(self, requests: tuple[Mapping[str, Any], ...]) -> None:
        listing = self.query_one("#requests-list", OptionList)
        listing.clear_options()
        if not requests:
            listing.add_option(Option(Text(_("No service requests"), style="dim"), disabled=True))
            return
        for row in requests:
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(str(row.get("number", "")) + "  ", style="bold")
            line.append(fit(label(str(row.get("status", ""))), 10) + "  ", style="dim")
            line.append(str(row.get("title", "")))
            listing.add_option(Option(line, id=f"req-{row.get('number', '')}"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        if option_id.startswith("req-"):
            self.post_message(self.RequestChosen(option_id.removeprefix("req-")))
