"""The contracts: the opportunity record (and its JSON Schema), its status; the profile and award schemas."""
