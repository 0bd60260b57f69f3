"""Writes in matching with their rules, one module per sub-domain."""

from .introductions import (
    accept_introduction,
    block_user,
    decline_introduction,
    dismiss_recommendation,
    mark_report_handled,
    post_introduction_message,
    remind_and_expire_introductions,
    report_user,
    request_introduction,
    unblock_user,
    withdraw_introduction,
)
from .offers import close_offer, remind_and_retire_offers, renew_offer, save_offer
from .profiles import default_visibility, index_profile, save_profile, skill_labels
from .recommendations import neighbours, recompute_recommendations

__all__ = [
    "accept_introduction",
    "block_user",
    "close_offer",
    "decline_introduction",
    "default_visibility",
    "dismiss_recommendation",
    "index_profile",
    "mark_report_handled",
    "neighbours",
    "post_introduction_message",
    "recompute_recommendations",
    "remind_and_expire_introductions",
    "remind_and_retire_offers",
    "renew_offer",
    "report_user",
    "request_introduction",
    "save_offer",
    "save_profile",
    "skill_labels",
    "unblock_user",
    "withdraw_introduction",
]
