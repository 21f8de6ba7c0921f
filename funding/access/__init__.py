"""Who may do what: project-lead accounts, staff sign-in, the secrets file."""
