"""Widgets of the agent console. Each takes its data as reactive attributes."""

from console.widgets.banners import CallBanner, CallInfo, ConnectionBanner, OfferBanner, OfferInfo
from console.widgets.caller_card import CallerCard
from console.widgets.candidate_picker import CandidatePicker
from console.widgets.status_bar import NoticeLine, StatusBar

__all__ = [
    "CallBanner",
    "CallInfo",
    "CallerCard",
    "CandidatePicker",
    "ConnectionBanner",
    "NoticeLine",
    "OfferBanner",
    "OfferInfo",
    "StatusBar",
]
