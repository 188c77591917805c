"""SMS reporting: the report grammar (``grammar``, no Django), gateways, replies, message log and broadcasts."""
