"""The scheduler process: which host leads, and what each job run did."""
