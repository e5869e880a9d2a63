"""Knowledge search as you type, the hits, and the article the agent opened."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from console.i18n import _
from console.views import KbHit


class KnowledgePane(Vertical):
    """Posts ``Search`` on every change of the query and ``Open`` when a hit is chosen."""

    # ↓ from the search box goes down to the hits (the box has no use for it)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "to_hits", show=False, id="knowledge.to_hits")
    ]

    class Search(Message):
        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    class Open(Message):
        def __init__(self, article_id: str) -> None:
            super().__init__()
            self.article_id = article_id

    hits: reactive[tuple[KbHit, ...]] = reactive(())
    article: reactive[str | None] = reactive(None)  # markdown of the open article

    def compose(self) -> ComposeResult:
        yield Input(placeholder=_("Search the knowledge base"), id="kb-query")
        yield Static(id="kb-hint")
        yield OptionList(id="kb-hits")
        with VerticalScroll(id="kb-article-box"):
            yield Markdown(id="kb-article")

    def on_mount(self) -> None:
        self.query_one("#kb-hint", Static).display = False
        self.query_one("#kb-article-box").display = False
        self.query_one("#kb-hits", OptionList).display = False

    @property
    def typed(self) -> bool:
        """Whether the agent has typed a search (suggestions must not replace its hits)."""
        return bool(self.query_one("#kb-query", Input).value.strip())

    def suggest(self, hits: tuple[KbHit, ...]) -> None:
        """Show the articles suggested for the call, saying they are suggestions."""
        self.hits = hits
        self._hint(_("Suggested for this call") if hits else "")

    def show_results(self, hits: tuple[KbHit, ...], did_you_mean: str | None) -> None:
        """Show a search's hits, and its "did you mean" if it has one."""
        self.hits = hits
        self._hint(_("Did you mean: {words}?").format(words=did_you_mean) if did_you_mean else "")

    def _hint(self, text: str) -> None:
        hint = self.query_one("#kb-hint", Static)
        hint.update(text)
        hint.display = bool(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Search(event.value.strip()))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        hits = self.query_one("#kb-hits", OptionList)
        if self.hits:
            hits.focus()

    def watch_hits(self, hits: tuple[KbHit, ...]) -> None:
        listing = self.query_one("#kb-hits", OptionList)
        listing.clear_options()
        for hit in hits:
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(hit.title, style="bold")
            if hit.snippet:  # one line per hit: the snippet's own line breaks would stack it
                line.append("  " + " ".join(hit.snippet.split()), style="dim")
            listing.add_option(Option(line, id=f"kb-{hit.id}"))
        listing.display = bool(hits)
        if hits:
            listing.highlighted = 0

    def action_to_hits(self) -> None:
        hits = self.query_one("#kb-hits", OptionList)
        if self.hits and self.query_one("#kb-query", Input).has_focus:
            hits.focus()

    def watch_article(self, body: str | None) -> None:
        box = self.query_one("#kb-article-box")
        box.display = body is not None
        self.set_class(body is not None, "-reading")  # the article gets the room
        if body is not None:
            self.query_one("#kb-article", Markdown).update(body)
            box.scroll_home(animate=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.hits):
            self.post_message(self.Open(self.hits[event.option_index].id))
