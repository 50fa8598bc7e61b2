"""The phone line's rules: agents' states, the queue, call outcomes and call figures."""
