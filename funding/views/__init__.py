"""What the interface pages show: finder, call details, watchlist calendar, staff monitor."""
