"""Errors the program reports to its users, separate from programming errors."""


class FundingError(Exception):
    """Base for errors shown to users."""


class NormalizationError(FundingError, ValueError):
    """A source value that cannot be read as the type asked; str(e) is the user-facing reason."""


class SubscriptionError(FundingError):
    """A request about a subscription or an address that cannot be honoured (bad address,
    expired link...)."""
