"""/confirm?token=...: the link of the confirmation e-mail (double opt-in)."""

from ui.subscription import page

page("confirm")
