"""Past awards: the projects funders have already funded and the organisations behind them."""
