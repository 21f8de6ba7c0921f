"""Matching calls to a partnership: hard criteria (pass / fail / unknown), relevance, one ranking."""

from funding.matching.engine import (
    Candidates,
    Match,
    Similar,
    match,
    more_like_this,
    rank,
    retrieve,
    with_opportunities,
)
from funding.matching.profile import Partner, Profile, ProfileError, load_profile, parse_profile
from funding.matching.rules import Criterion

__all__ = [
    "Candidates",
    "Criterion",
    "Match",
    "Partner",
    "Profile",
    "ProfileError",
    "Similar",
    "load_profile",
    "match",
    "more_like_this",
    "parse_profile",
    "rank",
    "retrieve",
    "with_opportunities",
]
