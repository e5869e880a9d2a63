"""Our Twilio signatures agree with the official library's RequestValidator."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from telephony_adapters.twilio import signature

TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": ["CA1234567890ABCDE"],
    "Caller": ["+12349013030"],
    "Digits": ["1234"],
    "From": ["+12349013030"],
    "To": ["+18005551212"],
}


def test_twilio_documented_example() -> None:
    # The example in Twilio's security documentation.
    assert signature.sign(URL, PARAMS, TOKEN) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_accepts_what_the_official_validator_signs() -> None:
    validator = RequestValidator(TOKEN)
    flat = {k: v[0] for k, v in PARAMS.items()}
    theirs = validator.compute_signature(URL, flat)
    assert signature.valid(URL, PARAMS, TOKEN, theirs)
    assert validator.validate(URL, flat, signature.sign(URL, PARAMS, TOKEN))


def test_sha256_when_the_settings_header_says_so() -> None:
    header = "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256"
    ours = signature.sign(URL, PARAMS, TOKEN, "HMAC_SHA256")
    assert signature.valid(URL, PARAMS, TOKEN, ours, header)
    assert not signature.valid(URL, PARAMS, TOKEN, ours)  # not under SHA-1
    flat = {k: v[0] for k, v in PARAMS.items()}
    assert RequestValidator(TOKEN).validate(URL, flat, ours, algorithm="HMAC_SHA256")


def test_changed_body_or_url_fails() -> None:
    good = signature.sign(URL, PARAMS, TOKEN)
    assert not signature.valid(URL, {**PARAMS, "Digits": ["9999"]}, TOKEN, good)
    assert not signature.valid(URL.replace("foo=1", "foo=2"), PARAMS, TOKEN, good)
    assert not signature.valid(URL, PARAMS, "other-token", good)
    assert not signature.valid(URL, PARAMS, TOKEN, "")
    assert not signature.valid(URL, PARAMS, TOKEN, good, "algorithm=HMAC_MD5")


def test_port_variants() -> None:
    with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2"
    assert signature.valid(URL, PARAMS, TOKEN, signature.sign(with_port, PARAMS, TOKEN))
    assert signature.valid(with_port, PARAMS, TOKEN, signature.sign(URL, PARAMS, TOKEN))


@given(
    st.dictionaries(
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij", min_size=1, max_size=12),
        st.text(max_size=30),
        max_size=8,
    ),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=20),
)
def test_agrees_with_official_on_any_form(form: dict[str, str], token: str) -> None:
    params = {k: [v] for k, v in form.items()}
    theirs = RequestValidator(token).compute_signature(URL, form)
    assert signature.sign(URL, params, token) == theirs
