"""Screen pops on the agent console: the four lookup outcomes, calls and agent state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.cells import cell_len

from console.widgets import CallBanner, CallerCard, CandidatePicker
from tests.functional.conftest import (
    SIZE,
    FakeSwitchboard,
    cell_column,
    console_for,
    known_pop,
    screen_lines,
    screen_pop,
    screen_text,
    several_pop,
    wait_for_text,
    wait_until,
)


async def test_a_known_caller_pops_the_customer_card(fake_server: FakeSwitchboard) -> None:
    app = console_for(fake_server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "王小明", "a-1001", "ext 1001", "connected", "Available")
        fake_server.publish(known_pop())
        await wait_for_text(pilot, "深圳市腾达科技有限公司")
        text = screen_text(app)
        for shown in (
            "Caller · known",
            "张伟",
            "Enterprise",
            "gold",
            "深圳",
            "+86 755 8888 0000",
            "zhang.wei@tengda.cn",
            "vip, 华南大区",
            "exact E.164 (+8613812345678)",
            # the call banner
            "RINGING",
            "From +86 138 1234 5678",
            "To 4008001234",
            "Queue sales",
            "IVR lang=zh",
        ):
            assert shown in text, shown
        lines = screen_lines(app)
        # Every row is exactly 80 cells: double-width characters do not push the border out.
        assert {cell_len(line) for line in lines} == {80}
        # Values line up after their labels whatever the script.
        rows = {
            label: next(line for line in lines if f"│ {label} " in line)
            for label in ("Customer", "Contact", "City", "Tags", "Emails")
        }
        values = {
            "Customer": "深圳",
            "Contact": "张伟",
            "City": "深圳",
            "Tags": "vip",
            "Emails": "zhang",
        }
        assert len({cell_column(rows[k], values[k]) for k in rows}) == 1
        assert all(line.rstrip().endswith("│") for line in rows.values())


async def test_several_candidates_are_picked_with_the_keyboard(
    fake_server: FakeSwitchboard,
) -> None:
    app = console_for(fake_server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        assert "Pick caller" not in screen_text(app)  # nothing to pick yet
        fake_server.publish(several_pop())
        await wait_for_text(pilot, "Possible callers (3)", "广州华南物流有限公司")
        picker = app.query_one(CandidatePicker)
        card = app.query_one(CallerCard)
        assert picker.option_count == 3
        assert "3 customers use this number" in screen_text(app)
        assert "Pick caller" in screen_text(app)  # the footer offers the binding now
        assert card.chosen is None

        # Candidate rows are aligned in columns despite wide characters.
        rows = [line for line in screen_lines(app) if "exact E.164" in line or "same nat" in line]
        assert len(rows) == 3
        kinds = [next(k for k in ("Enterprise", "Individual") if k in row) for row in rows]
        assert len({cell_column(row, kind) for row, kind in zip(rows, kinds, strict=True)}) == 1

        await pilot.press("c")
        assert app.focused is picker
        await pilot.press("down", "enter")
        await wait_for_text(pilot, "Chosen by the agent", "Individual")
        assert card.chosen is not None
        assert card.chosen.customer_id == 2

        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: card.chosen is not None and card.chosen.customer_id == 3)
        text = screen_text(app)
        assert "same national number" in text
        assert "王芳" in text

        # The next pop replaces the picker and the choice.
        fake_server.publish(known_pop("c-78"))
        await wait_until(pilot, lambda: not picker.display)
        assert card.chosen is None
        assert "Pick caller" not in screen_text(app)


async def test_pick_caller_is_inert_without_candidates(fake_server: FakeSwitchboard) -> None:
    app = console_for(fake_server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        fake_server.publish(known_pop())
        await wait_for_text(pilot, "Caller · known")
        await pilot.press("c")
        assert app.focused is not app.query_one(CandidatePicker)


async def test_an_unknown_number_says_so(fake_server: FakeSwitchboard) -> None:
    app = console_for(fake_server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        fake_server.publish(
            screen_pop("unknown", number="+86 139 0000 1111", e164="+8613900001111")
        )
        await wait_for_text(pilot, "No customer with this number")
        text = screen_text(app)
        assert "Caller · unknown" in text
        assert "+86 139 0000 1111" in text
        assert "+8613900001111" in text
        assert not app.query_one(CandidatePicker).display


async def test_a_withheld_number_says_so(fake_server: FakeSwitchboard) -> None:
    app = console_for(fake_server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        fake_server.publish(screen_pop("withheld", number="", e164=None))
        await wait_for_text(pilot, "Number withheld by the caller", "Caller · withheld")


async def test_call_state_follows_the_call(fake_server: FakeSwitchboard) -> None:
    app = console_for(fake_server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        fake_server.publish(known_pop("c-77"))
        await wait_for_text(pilot, "RINGING", "深圳市腾达科技有限公司")
        for state in ("answered", "held", "ended"):
            fake_server.publish(
                {
                    "type": "call",
                    "call_id": "c-77",
                    "state": state,
                    "agent": "a-1001",
                    "from": "+86 138 1234 5678",
                    "to": "4008001234",
                    "at": "2026-11-22T09:01:00Z",
                }
            )
            await wait_for_text(pilot, state.upper())
            banner = app.query_one(CallBanner)
            assert banner.has_class(f"-{state}")
            assert banner.call is not None
            assert banner.call.state == state
        assert "深圳市腾达科技有限公司" in screen_text(app)  # the card stays for wrap-up

        fake_server.publish(
            {
                "type": "call",
                "call_id": "c-90",
                "state": "ringing",
                "agent": "a-1001",
                "from": "+86 20 1234 5678",
                "to": "4008001234",
                "at": "2026-11-22T09:05:00Z",
            }
        )
        await wait_for_text(pilot, "From +86 20 1234 5678", "Waiting for the next call")
        assert "深圳市腾达科技有限公司" not in screen_text(app)


async def test_agent_state_and_time_in_state(fake_server: FakeSwitchboard) -> None:
    app = console_for(fake_server)
    since = (datetime.now(UTC) - timedelta(minutes=12, seconds=5)).isoformat()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "Available 0:0")
        fake_server.publish(
            {
                "type": "agent_state",
                "agent": "a-1002",
                "state": "break",
                "reason": None,
                "since": since,
            }
        )
        fake_server.publish(
            {
                "type": "agent_state",
                "agent": "a-1001",
                "state": "on_call",
                "reason": None,
                "since": since,
            }
        )
        await wait_for_text(pilot, "On call 12:0")
        assert "Break" not in screen_text(app)  # another agent's state is not ours


async def test_an_earlier_call_ending_keeps_the_current_caller(
    fake_server: FakeSwitchboard,
) -> None:
    app = console_for(fake_server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        fake_server.publish(known_pop("c-2"))
        await wait_for_text(pilot, "RINGING", "深圳市腾达科技有限公司")
        fake_server.publish(
            {
                "type": "call",
                "call_id": "c-1",
                "state": "ended",
                "agent": "a-1001",
                "from": "+86 20 1234 5678",
                "to": "4008001234",
                "at": "2026-11-22T09:05:00Z",
            }
        )
        await pilot.pause(0.3)
        assert "深圳市腾达科技有限公司" in screen_text(app)
        assert "RINGING" in screen_text(app)


async def test_an_individual_candidate_is_named_once(fake_server: FakeSwitchboard) -> None:
    app = console_for(fake_server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "connected")
        fake_server.publish(several_pop())
        await wait_for_text(pilot, "Possible callers (3)")
        line = next(row for row in screen_lines(app) if "李娜" in row)
        assert line.count("李娜") == 1
        assert any("王芳" in row and "广州华南物流有限公司" in row for row in screen_lines(app))
