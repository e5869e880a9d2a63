"""The agent console: a Textual app fed by the agent's websocket, talking to the server by HTTP.

The feed (``console.feed.AgentFeed``) runs as a background worker and posts Messages into the
app (messages up). The app keeps the current pop, call and link as reactive attributes and
hands them to the widgets (attributes down). Every server request runs in a worker of its own
group, exclusive, and its answer is dropped if a newer request of the same kind was made
meanwhile (``Generations``): a slow server never freezes typing nor paints a stale answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.events import Resize
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from console.client import ConsoleApi, ServerClient, ServerError
from console.clock import ConsoleClock
from console.config import THEMES, ConsoleConfig
from console.feed import AgentFeed, FeedEvent, FeedSource, LinkStatus, Offer, PreviewCard
from console.footer_keys import FooterContext, footer_keys
from console.generations import Generations
from console.i18n import N_, _, choose_language, use_language
from console.messages import (
    AgentStateChanged,
    CallChanged,
    FeedProblemReported,
    HelloReceived,
    LinkChanged,
    OfferEndedReceived,
    OfferReceived,
    PreviewCardReceived,
    ScreenPopReceived,
    message_for,
)
from console.screens import BreakReasonScreen
from console.views import (
    FlowStep,
    Profile360,
    TicketView,
    category_choices,
    kb_hits,
    reschedule_at,
    ticket_rows,
)
from console.widgets import (
    CallBanner,
    CallerCard,
    CallInfo,
    CandidatePicker,
    ConnectionBanner,
    NoticeLine,
    OfferBanner,
    OfferInfo,
    StatusBar,
)
from console.widgets.banners import offer_subject
from console.widgets.knowledge import KnowledgePane
from console.widgets.labels import label
from console.widgets.preview_card import PreviewCardPane
from console.widgets.profile import ProfileTabs
from console.widgets.quick_create import QuickCreate
from console.widgets.request_editor import RequestEditor
from console.widgets.script_runner import ScriptRunner
from console.widgets.wrapup import WrapUpForm
from switchboard.core.wire import (
    Candidate,
    CustomerSummary,
    LookupResult,
    LookupStatus,
    ScreenPop,
)

FEED_WORKER = "feed"
WIDE = 110  # columns from which caller and work panes sit side by side
SEARCH_PAUSE = 0.15  # seconds of no typing before a knowledge search is sent

# (key, action, description, id, shown in the footer)
KEYS: tuple[tuple[str, str, str, str, bool], ...] = (
    ("ctrl+q", "quit", N_("Quit"), "console.quit", True),
    ("ctrl+c", "quit", N_("Quit"), "console.quit_interrupt", False),
    ("c", "focus_candidates", N_("Pick caller"), "console.focus_candidates", True),
    ("n", "quick_create", N_("New customer"), "console.quick_create", True),
    ("ctrl+s", "save", N_("Save"), "console.save", True),
    ("f2", "show('caller')", N_("Caller"), "console.show_caller", True),
    ("f3", "show('script')", N_("Script"), "console.show_script", True),
    ("f4", "show('knowledge')", N_("Knowledge"), "console.show_knowledge", True),
    ("f5", "show('request')", N_("Request"), "console.show_request", True),
    ("f6", "show('wrapup')", N_("Wrap-up"), "console.show_wrapup", True),
    ("f7", "available", N_("Available"), "console.available", True),
    ("f8", "take_break", N_("Break"), "console.take_break", True),
    ("f9", "not_ready", N_("Not ready"), "console.not_ready", True),
    ("d", "preview_dial", N_("Dial"), "console.preview_dial", True),
    ("k", "preview_skip", N_("Skip"), "console.preview_skip", True),
    ("r", "preview_reschedule", N_("Reschedule"), "console.preview_reschedule", True),
    ("a,enter", "offer_accept", N_("Accept"), "console.offer_accept", True),
    ("x", "offer_reject", N_("Reject"), "console.offer_reject", True),
    ("ctrl+b", "script_back", N_("Script back"), "console.script_back", False),
    ("ctrl+t", "toggle_theme", N_("Light/dark"), "console.toggle_theme", False),
    ("ctrl+p", "command_palette", N_("Commands"), "console.palette", False),
)
PRIORITY = frozenset({"console.quit", "console.quit_interrupt", "console.save", "console.palette"})
WORK_TABS = {
    "script": "tab-script",
    "knowledge": "tab-knowledge",
    "request": "tab-request",
    "wrapup": "tab-wrapup",
}
FINISHED_STATES = frozenset({"ended", "missed", "abandoned"})
TALKING_STATES = frozenset({"answered", "held"})


def console_bindings(shown: frozenset[str] | None = None) -> list[Binding]:
    """The console's bindings, described in the current language; ``shown``: the ids the
    footer shows (by default those marked shown in ``KEYS``)."""
    return [
        Binding(
            key,
            action,
            _(text),
            show=show if shown is None else binding_id in shown,
            id=binding_id,
            priority=binding_id in PRIORITY,
        )
        for key, action, text, binding_id, show in KEYS
    ]


class AgentConsoleApp(App[None]):
    """The agent's console.

    Args:
        feed: where events come from; ``AgentFeed(server_url, token)`` in production.
        agent_id: the agent this console is for, shown until the server's hello arrives.
        api: the HTTP client (``ServerClient``); without one, server actions are refused.
        config: language, theme, keymap, reasons, dispositions.
        clock: wall and monotonic time for timers (frozen in tests).
    """

    CSS_PATH = Path(__file__).parent / "agent.tcss"  # absolute: subclasses live elsewhere
    TITLE = "Switchboard"
    SUB_TITLE = "Agent console"
    BINDINGS: ClassVar[list[BindingType]] = []
    AUTO_FOCUS = None  # nothing to type into until a call comes; F-keys go anywhere

    # The app draws nothing itself: its reactives feed widgets, so they must not repaint
    # the whole screen (a full repaint per pop would cost more than the card itself).
    pop: reactive[ScreenPop | None] = reactive(None, init=False, repaint=False)
    call: reactive[CallInfo | None] = reactive(None, init=False, repaint=False)
    link: reactive[LinkStatus | None] = reactive(None, init=False, repaint=False)
    pane: reactive[str] = reactive("caller", init=False, repaint=False)

    def __init__(
        self,
        feed: FeedSource,
        *,
        agent_id: str = "",
        api: ConsoleApi | None = None,
        config: ConsoleConfig | None = None,
        clock: ConsoleClock | None = None,
    ) -> None:
        self.config = config or ConsoleConfig()
        use_language(choose_language(self.config.language))
        super().__init__()
        # Textual's own bindings (ctrl+c) stay; ours, described in the chosen language, join them.
        ours = console_bindings()
        actions = {binding.action for binding in ours}
        keys = {binding.key for binding in ours}
        self._textual_bindings = [
            binding
            for _key, binding in self._bindings
            if binding.action not in actions and binding.key not in keys
        ]
        self._bindings = BindingsMap([*self._textual_bindings, *ours])
        self._footer: frozenset[str] | None = None
        self._feed = feed
        self.api = api
        self.agent_id = agent_id
        self.clock = clock or ConsoleClock()
        self.generations = Generations()
        self.customer_id: int | None = None
        self.preview_card: PreviewCard | None = None
        self.offer: Offer | None = None  # a routed offer waiting for accept or reject
        self.contact_id: int | None = None
        self._bindings_status: LookupStatus | None = None
        self._notice_from: str | None = None  # the kind of request the notice is about
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        if self.config.keymap:
            self.set_keymap(self.config.keymap)

    # --- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar(self.agent_id, clock=self.clock, id="status-bar")
        yield NoticeLine(clock=self.clock, id="notice")
        yield ConnectionBanner(id="connection-banner")
        yield OfferBanner(clock=self.clock, id="offer-banner")
        yield CallBanner(clock=self.clock, id="call-banner")
        with Horizontal(id="main", classes="-show-caller"):
            with Vertical(id="caller"):
                yield CandidatePicker(id="candidates")
                yield CallerCard(id="caller-card")
                yield QuickCreate(id="quick-create")
                yield PreviewCardPane(id="preview-card")
                yield ProfileTabs(id="profile")
            with TabbedContent(id="work"):
                with TabPane(_("Script"), id="tab-script"):
                    yield ScriptRunner(self.config.default_flow, id="script")
                with TabPane(_("Knowledge"), id="tab-knowledge"):
                    yield KnowledgePane(id="knowledge")
                with TabPane(_("Request"), id="tab-request"):
                    yield RequestEditor(clock=self.clock, id="request")
                with TabPane(_("Wrap-up"), id="tab-wrapup"):
                    yield WrapUpForm(
                        self.config.dispositions,
                        self.config.notes_required_for,
                        clock=self.clock,
                        id="wrapup",
                    )
        # The palette (ctrl+p) is left out of the footer: at 80 columns it overlaps the keys.
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(QuickCreate).display = False
        self._lay_out(self.size.width)
        self._show_footer()
        self.run_worker(
            self._follow_feed(),
            name=FEED_WORKER,
            group=FEED_WORKER,
            exclusive=True,
            exit_on_error=False,
        )

    def on_ready(self) -> None:
        """What the forms offer to complete (categories), once; a server without it is fine."""
        editor = self.query_one(RequestEditor)

        def show(data: Any) -> None:
            editor.categories = category_choices(data)

        self._ask(
            "categories",
            lambda api: api.ticket_categories(),
            show,
            asked_by_agent=False,
            quiet=True,
        )

    async def on_unmount(self) -> None:
        if self.api is not None:
            await self.api.close()

    def on_resize(self, event: Resize) -> None:
        self._lay_out(event.size.width)

    def _lay_out(self, width: int) -> None:
        self.query_one("#main").set_class(width < WIDE, "-narrow")

    def watch_pane(self, pane: str) -> None:
        main = self.query_one("#main")
        main.set_class(pane == "caller", "-show-caller")
        main.set_class(pane != "caller", "-show-work")
        self._show_footer()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.tabbed_content.id == "work":
            self._show_footer()

    def _show_footer(self) -> None:
        """Show in the footer the keys that matter now (rebuilt only when they change)."""
        try:
            tab = self.query_one("#work", TabbedContent).active
        except NoMatches:  # not composed yet, or closing
            return
        work = next((name for name, pane in WORK_TABS.items() if pane == tab), "script")
        quick = self.query_one(QuickCreate).display
        where = "caller" if self.pane == "caller" else work
        shown = footer_keys(
            FooterContext(
                where=where,
                agent_state=self.query_one(StatusBar).agent_state,
                on_call=self.call is not None,
                call_over=self.call is not None and self.call.state in FINISHED_STATES,
                form_up=where in ("request", "wrapup") or (where == "caller" and quick),
                preview=self.preview_card is not None,
                offer=self.offer is not None,
            )
        )
        if shown == self._footer:
            return
        self._footer = shown
        self._bindings = BindingsMap([*self._textual_bindings, *console_bindings(shown)])
        self.refresh_bindings()

    # --- the feed worker (messages up) ----------------------------------------------------

    async def _follow_feed(self) -> None:
        await self._feed.run(self._deliver)

    def _deliver(self, event: FeedEvent) -> None:
        self.post_message(message_for(event))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if event.worker.name == FEED_WORKER:
            self.report(_("Connection to the server stopped: {error}").format(error=error))
        else:
            self.report(_("Something went wrong: {error}").format(error=error))

    def on_link_changed(self, message: LinkChanged) -> None:
        self.link = message.status

    def on_hello_received(self, message: HelloReceived) -> None:
        hello = message.hello
        if self.agent_id and hello.agent.id != self.agent_id:
            self.report(
                _("Signed in as {actual}, not {expected}").format(
                    actual=hello.agent.id, expected=self.agent_id
                )
            )
        self.agent_id = hello.agent.id
        status = self.query_one(StatusBar)
        status.agent = hello.agent
        if status.agent_state != hello.state or status.state_since is None:
            self._show_state(hello.state, None, None)
        self._offer_left_by_state(hello.state)

    def on_agent_state_changed(self, message: AgentStateChanged) -> None:
        update = message.update
        if self.agent_id and update.agent != self.agent_id:
            return  # about someone else: not ours to show
        self._show_state(update.state, update.reason, update.since)
        self._offer_left_by_state(update.state)
        if update.state == "wrap_up":
            self._begin_wrap_up()

    def _show_state(self, state: str, reason: str | None, since: datetime | None) -> None:
        status = self.query_one(StatusBar)
        status.agent_state = state
        status.reason = reason
        status.state_since = since or self.clock.now()
        self._show_footer()

    def on_screen_pop_received(self, message: ScreenPopReceived) -> None:
        pop = message.pop
        if self.call is None or self.call.call_id != pop.call_id:
            self._new_call()
            self.pane = "caller"  # a new caller: who it is comes first, even mid-form
        self.call = CallInfo.from_pop(pop, self.call)
        self.pop = pop

    def on_call_changed(self, message: CallChanged) -> None:
        update = message.call
        if self.call is not None and self.call.call_id == update.call_id:
            talked = self.call.state in TALKING_STATES
            self.call = self.call.updated(update)
            if update.state in FINISHED_STATES:
                self._begin_wrap_up()
                if talked:
                    self._start_after_call_work()
            return
        if self.call is not None and update.state in FINISHED_STATES:
            return  # an earlier call finishing must not replace the caller on screen
        self._new_call()
        self.call = CallInfo.from_update(update)
        if self.pop is not None and self.pop.call_id != update.call_id:
            self.pop = None  # a new call: the old caller's card would mislead

    def on_feed_problem_reported(self, message: FeedProblemReported) -> None:
        self.report(message.text)

    def report(self, text: str) -> None:
        """Tell the agent about a problem, as one line in the status area ("" clears it)."""
        self._notice_from = None
        for notice in self.query(NoticeLine):  # none while the console is closing
            notice.text = " ".join(text.split())

    # --- state down to the widgets --------------------------------------------------------

    def watch_link(self, status: LinkStatus | None) -> None:
        self.query_one(StatusBar).link = status
        self.query_one(ConnectionBanner).link = status

    def watch_call(self, call: CallInfo | None) -> None:
        self.query_one(CallBanner).call = call
        self._show_footer()

    def watch_pop(self, pop: ScreenPop | None) -> None:
        card = self.query_one(CallerCard)
        card.chosen = None
        card.pop = pop
        status = pop.match.status if pop is not None else None
        several = status is LookupStatus.SEVERAL
        self.query_one(CandidatePicker).candidates = (
            tuple(pop.match.candidates) if several and pop is not None else ()
        )
        quick = self.query_one(QuickCreate)
        if quick.display != (status is LookupStatus.UNKNOWN):
            quick.display = status is LookupStatus.UNKNOWN
        if pop is not None and status is LookupStatus.UNKNOWN:
            quick.prefill(pop.match.e164 or pop.match.number or pop.from_)
        if pop is not None and (self.call is None or self.call.call_id == pop.call_id):
            self._suggest_articles(pop.call_id)
        if pop is not None and status is LookupStatus.KNOWN:
            first = pop.match.candidates[0] if pop.match.candidates else None
            customer = pop.customer.id if pop.customer else (first.customer_id if first else None)
            if customer is not None:
                self._choose_customer(customer, first.contact_id if first else None)
        # Only the pick and quick-create keys depend on the pop; redrawing the footer is
        # costly, so it is refreshed only when what they depend on changed.
        if self.offer is not None:
            self._show_offer()  # the caller's name, once the pop knows it
        if status != self._bindings_status:
            self._bindings_status = status
            self.refresh_bindings()
            self._show_footer()

    def _new_call(self) -> None:
        """Forget what belonged to the previous call."""
        self.customer_id = None
        self.contact_id = None
        self.query_one(ProfileTabs).profile = None
        self.query_one(ProfileTabs).requests = ()
        self.query_one(ScriptRunner).step = None
        self.query_one(RequestEditor).clear()
        self.query_one(WrapUpForm).reset()
        self.query_one("#work", TabbedContent).active = WORK_TABS["script"]

    def _begin_wrap_up(self) -> None:
        """Start the wrap-up timer and put the form up front; the caller stays on screen."""
        form = self.query_one(WrapUpForm)
        if form.started is None:
            form.started = self.clock.now()
        self.query_one("#work", TabbedContent).active = WORK_TABS["wrapup"]

    # --- workers: one per kind of request, the newest wins ---------------------------------

    def _ask(
        self,
        kind: str,
        request: Callable[[ConsoleApi], Awaitable[Any]],
        then: Callable[[Any], None],
        *,
        pause: float = 0.0,
        asked_by_agent: bool = True,
        quiet: bool = False,
        failed: Callable[[ServerError], None] | None = None,
    ) -> None:
        """Send ``request`` in a worker; hand its answer to ``then`` unless a newer one exists.

        Without an HTTP client, requests the agent asked for are refused with a notice and
        those the console makes on its own (loading the 360) are skipped. A ``quiet`` request
        (an extra the agent did not ask for, such as suggestions) fails without a notice.
        ``failed`` hears of an error answer to the newest request (after its notice).
        """
        api = self.api
        if api is None:
            if asked_by_agent:
                self.report(_("No server to ask: the console runs without an HTTP client"))
            return
        number = self.generations.issue(kind)

        async def work() -> None:
            if pause:
                await asyncio.sleep(pause)
            try:
                answer = await request(api)
            except ServerError as exc:
                if self.generations.is_current(kind, number) and not quiet:
                    self.report(str(exc))
                    self._notice_from = kind
                if self.generations.is_current(kind, number) and failed is not None:
                    failed(exc)
                return
            if not self.is_running:
                return  # the console closed while the answer was on its way
            if self.generations.is_current(kind, number):
                if self._notice_from == kind:  # this kind works again: its old error is moot
                    self.report("")
                then(answer)

        self.run_worker(work(), name=kind, group=kind, exclusive=True, exit_on_error=False)

    # --- the caller -------------------------------------------------------------------------

    def on_candidate_picker_chosen(self, message: CandidatePicker.Chosen) -> None:
        self.query_one(CallerCard).chosen = message.candidate
        self._choose_customer(message.candidate.customer_id, message.candidate.contact_id)

    def _choose_customer(self, customer_id: int, contact_id: int | None) -> None:
        self.customer_id = customer_id
        self.contact_id = contact_id
        tabs = self.query_one(ProfileTabs)

        def show_profile(data: Any) -> None:
            tabs.profile = Profile360.from_json(data)

        def show_requests(data: Any) -> None:
            tabs.requests = tuple(ticket_rows(data))

        self._ask(
            "profile",
            lambda api: api.customer_360(customer_id),
            show_profile,
            asked_by_agent=False,
        )
        self._ask(
            "requests",
            lambda api: api.tickets_of(customer_id),
            show_requests,
            asked_by_agent=False,
        )

    def on_quick_create_submitted(self, message: QuickCreate.Submitted) -> None:
        if not message.name:
            self.report(_("Name is required to create the customer (name)"))
            return
        pop = self.pop

        def created(data: Any) -> None:
            summary = CustomerSummary(
                id=int(data["id"]),
                kind=data.get("kind", "individual"),
                name=data.get("name", message.name),
                contact_name=data.get("contact_name") or data.get("name", message.name),
                phones=[message.phone],
            )
            self.report("")
            if pop is not None:
                candidate = Candidate(
                    customer_id=summary.id,
                    contact_id=data.get("contact_id"),
                    name=summary.contact_name,
                    customer_name=summary.name,
                    kind=summary.kind,
                    number=message.phone,
                    reason=_("created on this call"),
                )
                match = LookupResult(
                    status=LookupStatus.KNOWN,
                    number=pop.match.number,
                    e164=pop.match.e164,
                    candidates=[candidate],
                )
                self.pop = pop.model_copy(update={"match": match, "customer": summary})

        self._ask(
            "quick_create", lambda api: api.quick_customer(message.phone, message.name), created
        )

    def on_profile_tabs_request_chosen(self, message: ProfileTabs.RequestChosen) -> None:
        self._ask("ticket", lambda api: api.get_ticket(message.number), self._show_ticket)
        self._show_work("request")

    def _show_ticket(self, data: Any) -> None:
        self.query_one(RequestEditor).ticket = TicketView.from_json(data, self.clock.monotonic())

    # --- script -----------------------------------------------------------------------------

    def on_script_runner_start(self, message: ScriptRunner.Start) -> None:
        call_id = self.call.call_id if self.call else ""
        self._ask("script", lambda api: api.start_flow(message.flow_id, call_id), self._step)

    def on_script_runner_answer(self, message: ScriptRunner.Answer) -> None:
        def step(data: Any) -> None:
            self._step(data, message.run_id)

        self._ask(
            "script",
            lambda api: api.answer_flow(message.run_id, message.value, message.rev),
            step,
        )

    def on_script_runner_back(self, message: ScriptRunner.Back) -> None:
        def step(data: Any) -> None:
            self._step(data, message.run_id)

        self._ask("script", lambda api: api.back_flow(message.run_id, message.rev), step)

    def _step(self, data: Any, run_id: str = "") -> None:
        self.query_one(ScriptRunner).step = FlowStep.from_json(data, run_id)

    # --- knowledge --------------------------------------------------------------------------

    def on_knowledge_pane_search(self, message: KnowledgePane.Search) -> None:
        pane = self.query_one(KnowledgePane)
        if not message.query:
            self.generations.issue("kb_search")  # an answer still on its way is now stale
            pane.show_results((), None)
            return

        def show(data: Any) -> None:
            pane.show_results(*kb_hits(data))

        self._ask("kb_search", lambda api: api.kb_search(message.query), show, pause=SEARCH_PAUSE)

    def _suggest_articles(self, call_id: str) -> None:
        """Articles the server suggests for this call, shown until the agent searches."""
        pane = self.query_one(KnowledgePane)

        def show(data: Any) -> None:
            if not pane.typed:
                hits, _hint = kb_hits(data)
                pane.suggest(hits)

        self._ask(
            "kb_search",  # a search typed meanwhile makes the suggestions stale
            lambda api: api.kb_suggestions(call_id),
            show,
            asked_by_agent=False,
            quiet=True,
        )

    def on_knowledge_pane_open(self, message: KnowledgePane.Open) -> None:
        pane = self.query_one(KnowledgePane)

        def show(data: Any) -> None:
            title = str(data.get("title", ""))
            body = str(data.get("body", ""))
            pane.article = f"# {title}\n\n{body}" if title else body

        self._ask("kb_article", lambda api: api.kb_article(message.article_id), show)

    # --- request ----------------------------------------------------------------------------

    def on_request_editor_save(self, message: RequestEditor.Save) -> None:
        fields = message.fields
        for name in ("title", "category"):
            if not fields.get(name):
                self.report(_("{field} is required").format(field=name))
                return
        if message.number is None:
            body: dict[str, Any] = {**fields, "channel": "phone"}
            if self.customer_id is not None:
                body["customer_id"] = self.customer_id
            if self.contact_id is not None:
                body["contact_id"] = self.contact_id
            if self.call is not None:
                body["linked_calls"] = [self.call.call_id]
            self._ask("ticket", lambda api: api.create_ticket(body), self._ticket_saved)
        else:
            number = message.number
            patch = {"version": message.version, **fields}
            self._ask("ticket", lambda api: api.update_ticket(number, patch), self._ticket_saved)

    def _ticket_saved(self, data: Any) -> None:
        self._show_ticket(data)
        self.report("")
        customer = self.customer_id
        if customer is not None:
            tabs = self.query_one(ProfileTabs)

            def show_requests(rows: Any) -> None:
                tabs.requests = tuple(ticket_rows(rows))

            self._ask("requests", lambda api: api.tickets_of(customer), show_requests)

    # --- wrap-up and agent state --------------------------------------------------------------

    def on_wrap_up_form_finished(self, message: WrapUpForm.Finished) -> None:
        ticket = self.query_one(RequestEditor).ticket
        agent = self.agent_id
        note = f"{message.disposition}: {message.notes}" if message.notes else message.disposition
        wrapped = self.call.call_id if self.call is not None else None

        async def finish(api: ConsoleApi) -> Any:
            if ticket is not None:
                await api.add_note(ticket.number, note)
            return await api.set_state(agent, "available")

        def done(data: Any) -> None:
            self._state_answer(data)
            self.report("")
            if self.call is not None and self.call.call_id != wrapped:
                return  # the next call popped while we were saving: it stays on screen
            self._new_call()
            self.call = None
            self.pop = None
            self.pane = "caller"

        self._ask("wrapup", finish, done)

    def _start_after_call_work(self) -> None:
        """Tell the server the agent is in wrap-up, so no call is offered before it is done;
        the server ends it by itself after ``wrap_up_seconds``."""
        agent = self.agent_id
        seconds = self.config.wrap_up_seconds
        self._ask(
            "state",
            lambda api: api.start_wrap_up(agent, seconds),
            self._state_answer,
            asked_by_agent=False,
        )

    def _set_state(self, state: str, reason: str | None = None) -> None:
        agent = self.agent_id
        self._ask(
            "state",
            lambda api: api.set_state(agent, state, reason),
            lambda data: self._state_answer(data, reason),
        )

    def _state_answer(self, data: Any, reason: str | None = None) -> None:
        """Show the state the server confirmed (the reason is the one asked for)."""
        if isinstance(data, dict) and isinstance(data.get("state"), str):
            since = data.get("state_since")
            at = datetime.fromisoformat(since) if isinstance(since, str) else None
            self._show_state(data["state"], data.get("reason") or reason, at)

    # --- actions --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        pop = self.pop
        if action == "focus_candidates":
            return pop is not None and pop.match.status is LookupStatus.SEVERAL
        if action == "quick_create":
            return pop is not None and pop.match.status is LookupStatus.UNKNOWN
        if action.startswith("preview_"):
            return self.preview_card is not None
        if action.startswith("offer_"):
            return self.offer is not None
        return True

    # --- routed offers ----------------------------------------------------------------------

    def on_offer_received(self, message: OfferReceived) -> None:
        self.offer = message.offer
        if message.offer.work == "call":
            self.pane = "caller"  # who is calling comes first
        self._show_offer()

    def _offer_caller(self, offer: Offer) -> str:
        """Who calls, from the pop of the offered call: the customer's name and number."""
        pop = self.pop
        if pop is None or offer.call_id is None or pop.call_id != offer.call_id:
            call = self.call
            return call.from_ if call is not None and call.call_id == offer.call_id else ""
        number = pop.match.e164 or pop.from_
        name = (pop.customer.contact_name or pop.customer.name) if pop.customer else ""
        return f"{name} {number}".strip()

    def _offer_keys(self) -> tuple[str, str]:
        """The keys that answer an offer, as the keymap has them."""

        def shown(binding_id: str) -> str:
            default = next(key for key, _a, _t, known, _s in KEYS if known == binding_id)
            keys = self.config.keymap.get(binding_id, default)
            return "/".join(key.strip() for key in keys.split(",") if key.strip())

        return shown("console.offer_accept"), shown("console.offer_reject")

    def _show_offer(self) -> None:
        offer = self.offer
        banner = self.query_one(OfferBanner)
        banner.info = (
            None
            if offer is None
            else OfferInfo(offer, self._offer_caller(offer), self._offer_keys())
        )
        self.refresh_bindings()
        self._show_footer()

    def _offer_over(self, reservation: str, notice: str | None = None) -> None:
        """Take the offer ``reservation`` off the screen (if it is the one shown), with a notice."""
        if self.offer is None or self.offer.reservation != reservation:
            return
        self.offer = None
        self._show_offer()
        if notice is not None:
            self.report(notice)

    def on_offer_ended_received(self, message: OfferEndedReceived) -> None:
        ended = message.ended
        offer = self.offer
        if offer is None or offer.reservation != ended.reservation:
            return
        what = offer_subject(offer, self._offer_caller(offer))
        notices = {
            "accepted": _("Accepted: {what}"),
            "rejected": _("Rejected: {what}"),
            "timeout": _("Offer missed, time ran out: {what}"),
        }
        text = notices.get(ended.outcome, _("Offer withdrawn: {what}"))
        self._offer_over(ended.reservation, text.format(what=what))

    def _offer_left_by_state(self, state: str) -> None:
        """A call or callback offer reserves the agent: leaving ``reserved`` ends it."""
        offer = self.offer
        if offer is None or offer.work == "ticket" or state == "reserved":
            return
        notice = _("Offer over: you are now {state}").format(state=label(state))
        self._offer_over(offer.reservation, notice)

    def _offer_refused(self, offer: Offer) -> Callable[[ServerError], None]:
        """An answer the server refused because the offer is over (409) or gone (404)."""

        def refused(error: ServerError) -> None:
            if error.status in (404, 409):  # said even if its end was shown meanwhile
                self._offer_over(offer.reservation)
                self.report(_("The offer is over — {error}").format(error=error))

        return refused

    def action_offer_accept(self) -> None:
        offer = self.offer
        if offer is None:
            return
        what = offer_subject(offer, self._offer_caller(offer))

        def done(answer: Any) -> None:
            notice = _("Accepted: {what}").format(what=what)
            transfer = answer.get("transfer") if isinstance(answer, dict) else None
            if isinstance(transfer, str) and transfer.startswith("failed"):
                notice += " — " + _("the phone system could not put it through: {why}").format(
                    why=transfer.removeprefix("failed:").strip()
                )
            self._offer_over(offer.reservation)
            self.report(notice)
            if offer.work == "ticket" and offer.number:
                number = offer.number
                self._ask("ticket", lambda api: api.get_ticket(number), self._show_ticket)
                self._show_work("request")
            elif offer.work == "call":
                self.pane = "caller"

        self._ask(
            "offer",
            lambda api: api.accept_offer(offer.reservation),
            done,
            failed=self._offer_refused(offer),
        )

    def action_offer_reject(self) -> None:
        offer = self.offer
        if offer is None:
            return
        what = offer_subject(offer, self._offer_caller(offer))

        def done(_answer: Any) -> None:
            self._offer_over(offer.reservation)
            self.report(_("Rejected: {what}").format(what=what))

        self._ask(
            "offer",
            lambda api: api.reject_offer(offer.reservation),
            done,
            failed=self._offer_refused(offer),
        )

    # --- outbound preview -------------------------------------------------------------------

    def on_preview_card_received(self, message: PreviewCardReceived) -> None:
        self._show_card(message.card)
        self.pane = "caller"

    def _show_card(self, card: PreviewCard | None) -> None:
        self.preview_card = card
        self.query_one(PreviewCardPane).card = card
        self.refresh_bindings()
        self._show_footer()

    def _card_done(self, card: PreviewCard, notice: str) -> Callable[[Any], None]:
        def done(_answer: Any) -> None:
            if self.preview_card == card:
                self._show_card(None)
            self.report(notice)

        return done

    def action_preview_dial(self) -> None:
        card = self.preview_card
        if card is not None:
            done = self._card_done(card, _("Dialing {number}…").format(number=card.number))
            self._ask("preview", lambda api: api.preview_dial(card.campaign, card.lead), done)

    def action_preview_skip(self) -> None:
        card = self.preview_card
        if card is not None:
            done = self._card_done(card, _("Skipped {number}").format(number=card.number))
            self._ask("preview", lambda api: api.preview_skip(card.campaign, card.lead), done)

    def action_preview_reschedule(self) -> None:
        if self.preview_card is not None:
            self.pane = "caller"
            self.query_one(PreviewCardPane).ask_when()

    def on_preview_card_pane_when(self, message: PreviewCardPane.When) -> None:
        card = self.preview_card
        if card is None:
            return
        now = self.clock.now()
        at = reschedule_at(message.text, now, now.astimezone().tzinfo or UTC)
        if at is None:
            self.report(_("Give a time in the future: 14:30, +90 or 2h (at)"))
            return
        when = at.astimezone().strftime("%m-%d %H:%M")
        done = self._card_done(
            card, _("{number} rescheduled to {when}").format(number=card.number, when=when)
        )
        self._ask(
            "preview",
            lambda api: api.preview_reschedule(card.campaign, card.lead, at.isoformat()),
            done,
        )

    def action_focus_candidates(self) -> None:
        self.pane = "caller"
        self.query_one(CandidatePicker).focus()

    def action_quick_create(self) -> None:
        self.pane = "caller"
        self.query_one("#quick-name").focus()

    def action_show(self, where: str) -> None:
        if where == "caller":
            self.pane = "caller"
            self.query_one("#profile-tabs Tabs").focus()  # ← → then walk the 360 tabs
            return
        self._show_work(where)

    def _show_work(self, where: str) -> None:
        self.pane = "work"
        self.query_one("#work", TabbedContent).active = WORK_TABS[where]
        if where == "script":
            self.query_one(ScriptRunner).focus_answer()
        elif where == "knowledge":
            self.query_one("#kb-query").focus()
        elif where == "request":
            self.query_one("#request-title").focus()
        elif where == "wrapup":
            self.query_one("#wrapup-disposition").focus()

    def action_save(self) -> None:
        focused = self.focused
        if focused is not None and self.query_one(QuickCreate) in focused.ancestors_with_self:
            self.query_one(QuickCreate).submit()
            return
        active = self.query_one("#work", TabbedContent).active
        if active == "tab-wrapup":
            self.query_one(WrapUpForm).finish()
        elif active == "tab-request":
            self.query_one(RequestEditor).save()
        else:
            self._show_work("request")

    def action_script_back(self) -> None:
        self.query_one(ScriptRunner).back()

    def action_available(self) -> None:
        self._set_state("available")

    def action_not_ready(self) -> None:
        self._set_state("not_ready")

    def action_take_break(self) -> None:
        def chosen(reason: str | None) -> None:
            if reason:
                self._set_state("break", reason)

        self.push_screen(BreakReasonScreen(self.config.break_reasons), chosen)

    def action_toggle_theme(self) -> None:
        self.theme = THEMES[1] if self.theme == THEMES[0] else THEMES[0]

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette offers every console action, by its footer name."""
        for key, action, text, _binding_id, _show in KEYS:
            if action in ("quit", "command_palette"):
                continue
            shown = key.replace(",", "/")
            yield SystemCommand(_(text), shown, lambda action=action: self.run_action(action))
        yield from super().get_system_commands(screen)


def run_agent_console(server_url: str, token: str, agent_id: str) -> None:
    """Run the agent console against ``server_url`` until the agent quits.

    A config file that cannot be read stops it with one line naming the file and the setting.
    """
    from pydantic import ValidationError

    from console.config import config_path, load_config

    try:
        config = load_config()
    except (ValidationError, ValueError, OSError) as exc:
        first = str(exc).strip().splitlines()
        detail = " ".join(first[:3]) if first else type(exc).__name__
        raise SystemExit(f"switchboard console: cannot use {config_path()}: {detail}") from exc
    AgentConsoleApp(
        AgentFeed(server_url, token),
        agent_id=agent_id,
        api=ServerClient(server_url, token),
        config=config,
    ).run()
