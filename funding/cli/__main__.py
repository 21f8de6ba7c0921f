"""`python -m funding.cli`, as `funding`."""

from funding.cli import main

main()
