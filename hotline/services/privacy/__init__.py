"""Personal data at rest: the data keys' rotation and the sealed columns."""
