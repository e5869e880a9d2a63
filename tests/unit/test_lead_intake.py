"""Who of a customer segment becomes a campaign's lead, and why the others do not."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from customers.leads.intake import (
    KnownLead,
    Member,
    MemberPhone,
    NotAdded,
    best_phone,
    plan_intake,
)

SHANGHAI = ("Asia/Shanghai",)


def mobile(number: str, **extra) -> MemberPhone:
    return MemberPhone(number, number, SHANGHAI, **extra)


def member(customer_id: int, *phones: MemberPhone, **extra) -> Member:
    return Member(customer_id, f"客户{customer_id}", phones, **{"phone_consent": True, **extra})


def plan(members, known=(), dnc=(), require_consent=True):
    return plan_intake(
        members,
        campaign_id="c1",
        require_consent=require_consent,
        do_not_call=set(dnc),
        known=list(known),
    )


def reasons(result) -> dict[int, NotAdded]:
    return {s.member.customer_id: s.reason for s in result.skipped}


def test_each_member_is_a_new_lead_or_named_with_its_reason():
    members = [
        member(1, mobile("+8613900000001")),
        member(2),
        member(3, mobile("+8613900000003"), do_not_call=True),
        member(4, mobile("+8613900000004"), phone_consent=False),
        member(5, mobile("+8613900000005"), phone_consent=None),
        member(6, mobile("+8613900000006")),
        member(7, MemberPhone("12345", None, (), "'12345' is not a valid number")),
        member(8, mobile("+8613900000001")),  # the same number as member 1
    ]
    result = plan(members, dnc={"+8613900000006"})
    assert [n.member.customer_id for n in result.new] == [1]
    assert reasons(result) == {
        2: NotAdded.NO_PHONE,
        3: NotAdded.DO_NOT_CALL,
        4: NotAdded.CONSENT_WITHDRAWN,
        5: NotAdded.NO_CONSENT,
        6: NotAdded.DO_NOT_CALL,
        7: NotAdded.NO_PHONE,
        8: NotAdded.SHARED_NUMBER,
    }
    details = {s.member.customer_id: s.detail for s in result.skipped}
    assert "not a valid number" in details[7]
    assert "客户1 (#1)" in details[8]


def test_without_a_consent_requirement_a_member_without_a_record_is_a_lead_without_consent():
    result = plan([member(5, mobile("+8613900000005"), phone_consent=None)], require_consent=False)
    (new,) = result.new
    assert new.consent is False
    withdrawn = plan(
        [member(4, mobile("+8613900000004"), phone_consent=False)], require_consent=False
    )
    assert reasons(withdrawn) == {4: NotAdded.CONSENT_WITHDRAWN}


def test_a_mobile_without_extension_is_preferred_and_any_listed_number_bars_the_member():
    office = MemberPhone("010-8888 6666", "+861088886666", SHANGHAI, ext="12", type="office")
    home = MemberPhone("010-8888 7777", "+861088887777", SHANGHAI, type="home")
    cell = mobile("+8613900000001")
    assert best_phone([office, home, cell]) == cell
    assert best_phone([office, home]) == home
    assert best_phone([office]) == office
    barred = plan([member(1, cell, home)], dnc={"+861088887777"})
    assert reasons(barred) == {1: NotAdded.DO_NOT_CALL}


def test_open_leads_are_reused_and_a_refresh_adds_nobody_twice():
    members = [
        member(1, mobile("+8613900000001")),
        member(2, mobile("+8613900000002")),
        member(3, mobile("+8613900000003")),
        member(4, mobile("+8613900000004")),
        member(5, mobile("+8613900000005")),
    ]
    known = [
        KnownLead("imp-1", "+8613900000001", "outbound", None),
        KnownLead("imp-2", "+8613900000002", "outbound", "other"),
        KnownLead("imp-3", "+8613900000003", "sales", None),
        KnownLead("imp-4", "+8613900000004", "recycled", None),
        # a lead this campaign finished (the customer said no): never made again
        KnownLead("seg-c1-5", "+8613900000005", "done", "c1", 5),
    ]
    result = plan(members, known=known)
    assert result.reuse == ["imp-1", "imp-4"]
    assert result.already == ["seg-c1-5"]
    assert result.new == []
    assert reasons(result) == {2: NotAdded.IN_ANOTHER_CAMPAIGN, 3: NotAdded.WITH_SALES}

    after = [*known, KnownLead("imp-1", "+8613900000001", "outbound", "c1")]
    again = plan(members[:1], known=after[-1:])
    assert (again.new, again.reuse, again.already) == ([], [], ["imp-1"])


def test_a_member_whose_number_changed_is_still_already_in_the_campaign():
    known = [KnownLead("seg-c1-9", "+8613900000009", "outbound", "c1", 9)]
    result = plan([member(9, mobile("+8613900000010"))], known=known)
    assert (result.new, result.already) == ([], ["seg-c1-9"])


numbers = st.sampled_from([f"+86139000000{i:02d}" for i in range(8)])


@given(
    st.lists(
        st.tuples(
            st.lists(numbers, max_size=2),
            st.sampled_from([True, False, None]),
            st.booleans(),
        ),
        max_size=12,
    ),
    st.sets(numbers, max_size=3),
    st.lists(
        st.tuples(numbers, st.sampled_from(["new", "outbound", "sales", "done", "recycled"])),
        max_size=5,
    ),
)
def test_every_member_is_accounted_for_once_and_no_number_gets_two_leads(rows, dnc, leads):
    members = [
        member(i, *(mobile(n) for n in phones), phone_consent=consent, do_not_call=flag)
        for i, (phones, consent, flag) in enumerate(rows)
    ]
    known = [KnownLead(f"k{i}", n, status, None) for i, (n, status) in enumerate(leads)]
    result = plan(members, known=known, dnc=dnc)
    # new, reused and skipped members partition the segment
    accounted = len(result.new) + len(result.reuse) + len(result.already) + len(result.skipped)
    assert accounted == len(members)
    dialable = [n.phone.e164 for n in result.new]
    reused = {k.number for k in known if k.id in result.reuse}
    assert len(dialable) == len(set(dialable))
    assert set(dialable).isdisjoint(reused)
    assert set(dialable).isdisjoint(
        {k.number for k in known if k.status in ("new", "outbound", "recycled", "sales")}
    )
    for new in result.new:
        assert new.phone.e164 not in dnc
        assert not new.member.do_not_call
        assert new.member.phone_consent is True
        assert not any(p.e164 in dnc for p in new.member.phones)
