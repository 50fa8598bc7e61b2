"""The phone line's use cases: credentials, agents' states, the distribution, call events,
and the call records."""
