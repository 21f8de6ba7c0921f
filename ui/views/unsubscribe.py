"""/unsubscribe?token=...: the one-click link of every digest."""

from ui.subscription import page

page("unsubscribe")
