"""Territory: places and what contains what (places), and the territory a call is limited to (scope)."""
